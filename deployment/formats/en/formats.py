# The English interface keeps the Vietnamese formats: the users are the same people.
from deployment.formats.vi.formats import *  # noqa: F403
