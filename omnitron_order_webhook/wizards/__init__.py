from . import omnitron_token_wizard
from . import omnitron_event_dismiss
from . import omnitron_ship_anyway
from . import omnitron_event_reprocess
from . import omnitron_account_connection
from . import omnitron_stock_comparison
