"""``python -m bot`` does what ``quizbot`` does."""

import sys

from bot.cli import main

sys.exit(main())
