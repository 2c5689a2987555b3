"""Settings of the real worker the fault suite starts as a subprocess: the test settings, pointed at the test's
database, storage, SMTP server, simulator and Redis queue, and with the sweepers' periods shortened.

The test process passes every value in FACTURIER_FAULT_SETTINGS (JSON: setting name -> value).
"""

import json
import os

from config.settings.test import *  # noqa: F403

globals().update(json.loads(os.environ["FACTURIER_FAULT_SETTINGS"]))
