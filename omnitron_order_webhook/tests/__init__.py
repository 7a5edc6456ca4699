from . import test_webhook_auth, test_webhook_import, test_webhook_requests
