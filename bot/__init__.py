"""faqbot's platform-free core."""
