"""The doors to the outside world: PDF drawing and SMTP (and the Stripe gateway)."""
