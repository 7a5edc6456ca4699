from . import test_webhook_auth
from . import test_webhook_import
from . import test_webhook_requests
from . import test_webhook_settings
from . import test_webhook_ui
