from . import omnitron_token_wizard
