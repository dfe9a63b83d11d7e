"""Admin commands in chat (/faq reload, versions, rollback, ...), written once for every
platform."""
