"""Admin commands (/faq reload, versions, rollback, ...), written once for every platform and
for `faqbot faq`."""
