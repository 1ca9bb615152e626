# Models arrive with the meetings issue.
