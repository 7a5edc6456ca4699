from . import mrp_bom
from . import omnitron_stock_sync
