"""Decisions after a confirmed selection (issue 3 §6): decision notices (決定通知) to municipalities
and providers, the provider's decline (辞退) of an assignment, and the waitlist (補欠) from which the
operator promotes (繰上げ) the next best application into freed capacity."""
