from . import test_kits
