"""What the redactor hides (and what it leaves alone), per kind, and how logs are redacted."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.core.models import ConversationKey, Ticket
from bot.knowledge.drafts import draft_from_ticket
from bot.runtime.logs import JsonFormatter
from bot.safety.redact import (
    RedactingFilter,
    Redactor,
    iban_checksum_ok,
    install_log_redaction,
    luhn_ok,
)

redactor = Redactor()

# (what a customer writes, the part of it that must not leave the bot)
EMAILS = [
    ("my email is jane.doe@example.com", "jane.doe@example.com"),
    ("Contact: JOHN_SMITH@Example.CO.UK please", "JOHN_SMITH@Example.CO.UK"),
    ("send it to marie+billing@entreprise.fr.", "marie+billing@entreprise.fr"),
    ("<bob@example.org>", "bob@example.org"),
    ("reply to a.b.c@mail.sub.example.com thanks", "a.b.c@mail.sub.example.com"),
    ("user123@gmail.com is my login", "user123@gmail.com"),
    ("mailto:sales@acme.io", "sales@acme.io"),
    ("(pierre.martin@orange.fr)", "pierre.martin@orange.fr"),
    ("cc x@y.io, thanks", "x@y.io"),
    ("my address is first-last@my-company.com", "first-last@my-company.com"),
    ("login o'neil@example.com failed", "o'neil@example.com"),
    ("write to 42@numbers.example.net", "42@numbers.example.net"),
    ("it's ceo@startup.technology now", "ceo@startup.technology"),
    ("Email:admin@example.com", "admin@example.com"),
    ("j.doe%team@example.com bounced", "j.doe%team@example.com"),
    ("jane [at] example [dot] com", "jane [at] example [dot] com"),
    ("jane (at) example (dot) co (dot) uk", "jane (at) example (dot) co (dot) uk"),
    ("UPPER@EXAMPLE.COM", "UPPER@EXAMPLE.COM"),
    ("my backup is info@nimbus-support.example.", "info@nimbus-support.example"),
    ("le mail : élise.dupont@exemple.fr", "élise.dupont@exemple.fr"),
    ("ping me at dev_ops@test.dev!", "dev_ops@test.dev"),
    ("account owner: sam@example.museum", "sam@example.museum"),
]
NOT_EMAILS = [
    "@everyone help!",
    "ping @here please",
    "my handle is @acme_support",
    "logo@2x.png looks blurry",
    "icon@3x.jpg is missing",
    "user@localhost does not work",
    "what is foo@bar",
    "email me at the usual place",
    "the domain @example.com is ours",
    "support@ is that the address?",
    "3 @ $4.99 each",
    "npm install @scope/package@1.2.3",
    "meet at 10 @ the office",
    "C# @ 10am",
    "name at example dot com",
    "a@b",
    "version 2.0@beta",
    "x @ y.com",
    "My email stopped syncing",
    "the @ sign is not accepted",
    "tweet us @nimbus",
    "price: 5@3.99",
]

PHONES = [
    ("call me on +33 6 12 34 56 78", "+33 6 12 34 56 78"),
    ("my number +33612345678", "+33612345678"),
    ("tel 06 12 34 56 78 after 5pm", "06 12 34 56 78"),
    ("06.12.34.56.78", "06.12.34.56.78"),
    ("portable : 0612345678", "0612345678"),
    ("US office +1 (415) 555-0132", "+1 (415) 555-0132"),
    ("call (415) 555-0132 anytime", "(415) 555-0132"),
    ("415-555-0132 is my cell", "415-555-0132"),
    ("dial 415.555.0132", "415.555.0132"),
    ("+1-415-555-0132", "+1-415-555-0132"),
    ("toll free 1-800-555-0199", "1-800-555-0199"),
    ("London +44 20 7946 0958", "+44 20 7946 0958"),
    ("ring 020 7946 0958.", "020 7946 0958"),
    ("Berlin +49 30 1234567", "+49 30 1234567"),
    ("+49 (0)30 1234567 office", "+49 (0)30 1234567"),
    ("from abroad 0044 20 7946 0958", "0044 20 7946 0958"),
    ("0033 6 12 34 56 78", "0033 6 12 34 56 78"),
    ("mobile 07700 900123", "07700 900123"),
    ("India +91 98765 43210", "+91 98765 43210"),
    ("Sydney +61 2 9374 4000", "+61 2 9374 4000"),
    ("Tokyo +81 3-1234-5678", "+81 3-1234-5678"),
    ("tel:+33612345678", "+33612345678"),
    ("my cell is 415 555 0132", "415 555 0132"),
    ("GSM +32 470 12 34 56", "+32 470 12 34 56"),
]
NOT_PHONES = [
    "Order 123456789 hasn't arrived",
    "my order number is 0612345678",
    "Order ORD-2024-00123 is late",
    "Invoice 2024-000123 is wrong",
    "Meeting on 2024-05-12 at 14:30",
    "It was 12/05/2024",
    "Le 12.05.2024 à 14h30",
    "between 10:30:15 and 11:45",
    "It costs $1,234.56",
    "Prix : 1 234,56 €",
    "€ 1.299,00 per year",
    "Windows 10.0.19041.1234",
    "upgrade to 2.10.0",
    "server 192.168.100.254",
    "ticket T-12 is still open",
    "between 2019-2024",
    "100 000 users",
    "Unix time 1700000000",
    "Slack ts 1700000000.123456",
    "+20% more storage",
    "2 TB for 9.99 per month",
    "Discord id 112233445566778890",
    "ISBN 978-3-16-148410-0",
    "box of 3 x 4 x 5 cm",
    "support hours 9-17 CET",
    "invoice #415-555-0132",
]

# Test numbers published by the card networks, all Luhn-valid.
CARDS = [
    ("card 4111 1111 1111 1111 declined", "4111 1111 1111 1111"),
    ("4111-1111-1111-1111", "4111-1111-1111-1111"),
    ("number 4111111111111111.", "4111111111111111"),
    ("Mastercard 5555 5555 5555 4444", "5555 5555 5555 4444"),
    ("5105 1051 0510 5100 expired", "5105 1051 0510 5100"),
    ("Amex 3782 822463 10005", "3782 822463 10005"),
    ("amex 371449635398431", "371449635398431"),
    ("Discover 6011 1111 1111 1117", "6011 1111 1111 1117"),
    ("6011000990139424", "6011000990139424"),
    ("Diners 3056 9309 0259 04", "3056 9309 0259 04"),
    ("38520000023237", "38520000023237"),
    ("JCB 3530 1113 3330 0000", "3530 1113 3330 0000"),
    ("3566002020360505 was charged", "3566002020360505"),
    ("visa 4012 8888 8888 1881", "4012 8888 8888 1881"),
    ("old visa 4222222222222", "4222222222222"),
    ("5200 8282 8282 8210", "5200 8282 8282 8210"),
    ("2223 0031 2200 3222", "2223 0031 2200 3222"),
    ("UnionPay 6200000000000005", "6200000000000005"),
    ("card=4000056655665556", "4000056655665556"),
    ("my card (4242 4242 4242 4242) was charged twice", "4242 4242 4242 4242"),
    ("Maestro 6759 6498 2643 8453", "6759 6498 2643 8453"),
    ("19 digits 4111 1111 1111 1111 110", "4111 1111 1111 1111 110"),
]
NOT_CARDS = [
    "order 1234 5678 9012 3456 has not shipped",
    "is 4111 1111 1111 1112 valid?",
    "reference 1234567812345678",
    "order 123456789012",
    "tracking 12345678901234567890",
    "placeholder 0000 0000 0000 0000",
    "Order ORD-2024-00123",
    "Invoice INV-0000-1111-2222",
    "total $1,234,567.89",
    "USPS 9400 1000 0000 0000 0000 00",
    "Discord id 112233445566778890",
    "1111-2222-3333-4445",
    "version 4.111.1111.1111",
    "ISBN 978-3-16-148410-0",
    "serial 4111 1111 1111 12",
    "Slack ts 1700000000.123456",
    "order 9876543210987654",
    "2024-05-12 2024-05-13",
    "<@4111111111111111> said hi",
    "key faqbot:hist:4111111111111111:x",
    "1 234 567 890 123 456 bytes",
    "the card ending in 1111",
]

IBANS = [
    ("IBAN DE89 3704 0044 0532 0130 00 please", "DE89 3704 0044 0532 0130 00"),
    ("DE89370400440532013000", "DE89370400440532013000"),
    ("GB82 WEST 1234 5698 7654 32", "GB82 WEST 1234 5698 7654 32"),
    ("lowercase gb82 west 1234 5698 7654 32 merci", "gb82 west 1234 5698 7654 32"),
    ("FR14 2004 1010 0505 0001 3M02 606", "FR14 2004 1010 0505 0001 3M02 606"),
    ("mon IBAN : FR76 3000 6000 0112 3456 7890 189.", "FR76 3000 6000 0112 3456 7890 189"),
    ("NL91 ABNA 0417 1643 00", "NL91 ABNA 0417 1643 00"),
    ("BE68 5390 0754 7034 merci", "BE68 5390 0754 7034"),
    ("ES91 2100 0418 4502 0005 1332", "ES91 2100 0418 4502 0005 1332"),
    ("IT60 X054 2811 1010 0000 0123 456", "IT60 X054 2811 1010 0000 0123 456"),
    ("CH93 0076 2011 6238 5295 7", "CH93 0076 2011 6238 5295 7"),
    ("AT61 1904 3002 3457 3201", "AT61 1904 3002 3457 3201"),
    ("PL61 1090 1014 0000 0712 1981 2874", "PL61 1090 1014 0000 0712 1981 2874"),
    ("SE45 5000 0000 0583 9825 7466", "SE45 5000 0000 0583 9825 7466"),
    ("NO93 8601 1117 947", "NO93 8601 1117 947"),
    ("DK50 0040 0440 1162 43", "DK50 0040 0440 1162 43"),
    ("FI21 1234 5600 0007 85", "FI21 1234 5600 0007 85"),
    ("IE29 AIBK 9311 5212 3456 78", "IE29 AIBK 9311 5212 3456 78"),
    ("PT50 0002 0123 1234 5678 9015 4", "PT50 0002 0123 1234 5678 9015 4"),
    ("LU28 0019 4006 4475 0000", "LU28 0019 4006 4475 0000"),
    ("GR16 0110 1250 0000 0001 2300 695", "GR16 0110 1250 0000 0001 2300 695"),
    ("MT84 MALT 0110 0001 2345 MTLC AST0 01S", "MT84 MALT 0110 0001 2345 MTLC AST0 01S"),
    ("(CZ65 0800 0000 1920 0014 5399)", "CZ65 0800 0000 1920 0014 5399"),
    ("SA03 8000 0000 6080 1016 7519", "SA03 8000 0000 6080 1016 7519"),
]
NOT_IBANS = [
    "DE89 3704 0044 0532 0130 01 has a typo",
    "GB82 WEST 1234 5698 7654 33",
    "FR00 3000 6000 0112 3456 7890 189",
    "postcode SW1A 1AA",
    "ISO 9001 certified",
    "code AB12 3456",
    "VAT FR40303265045",
    "ES2024 conference",
    "DE12 bags ordered",
    "Order ORD-2024-00123",
    "NL00 0000 0000 00",
    "BIC DEUTDEFF500",
    "model XR21 2023 edition",
    "CH 8001 Zürich",
    "XY12 3456 7890 1234 5678 90",
    "plan FR2024PRO renews",
    "DE89 3704 0044",
    "see RFC 2616 section 14",
    "BE68-5390-0754-7034X",
    "flight AF12 to Paris",
    "A4 paper, 80 g",
    "ticket T-12",
]

SECRETS = [
    (
        "my key sk-ant-api03-AbCdEf1234567890_GhIjKlMnOpQrStUv-wxyz works?",
        "sk-ant-api03-AbCdEf1234567890_GhIjKlMnOpQrStUv-wxyz",
    ),
    ("sk-proj-abc123DEF456ghi789JKL012mno345", "sk-proj-abc123DEF456ghi789JKL012mno345"),
    ("stripe sk_live_51HqLyjWDarjtT1zdp7dcXMhzvt", "sk_live_51HqLyjWDarjtT1zdp7dcXMhzvt"),
    (
        "token xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    ),
    (
        "xapp-1-A0123456789-1234567890123-abcdef0123456789",
        "xapp-1-A0123456789-1234567890123-abcdef0123456789",
    ),
    (
        "github ghp_1234567890abcdefghijklmnopqrstuvwxYZ",
        "ghp_1234567890abcdefghijklmnopqrstuvwxYZ",
    ),
    (
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
    ),
    ("aws AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    (
        "aws secret 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",
        "Jx7dK2pQ9mZ4vR8sT1uW6yA3bC5eF0gH2iL4kN8o",
    ),
    ("AIzaSyA-1234567890abcdefghijklmnopqrstu", "AIzaSyA-1234567890abcdefghijklmnopqrstu"),
    (
        "jwt eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
        "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
        "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ),
    ("Authorization: Bearer abcdef0123456789ABCDEF.ghij", "abcdef0123456789ABCDEF.ghij"),
    ("password=hunter2!", "hunter2!"),
    ("my password: Tr0ub4dor&3", "Tr0ub4dor&3"),
    ("api_key: 9f8e7d6c5b4a", "9f8e7d6c5b4a"),
    ("my password is password=123456", "123456"),
    ("callback https://example.com/cb?token=abc123def456&x=1", "abc123def456"),
    (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----",
    ),
    ("gitlab glpat-xY9zAbCdEf12345GhIjK", "glpat-xY9zAbCdEf12345GhIjK"),
    ("npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"),
    ("random Zx9Kq2LmN8vB4wR7tY1uI5oP3aS6dF0g here", "Zx9Kq2LmN8vB4wR7tY1uI5oP3aS6dF0g"),
    ("hex key 3f2a9c8b7e6d5f4a1b2c3d4e5f6a7b8c", "3f2a9c8b7e6d5f4a1b2c3d4e5f6a7b8c"),
    (
        "bot token MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDe.abcdefghijklmnopqrstuvwxyz0123456",
        "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDe.abcdefghijklmnopqrstuvwxyz0123456",
    ),
    (
        "SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        "SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    ),
    ("webhook whsec_A1b2C3d4E5f6G7h8I9j0K1l2", "whsec_A1b2C3d4E5f6G7h8I9j0K1l2"),
]
NOT_SECRETS = [
    "ticket T-12 is open",
    "Order ORD-2024-00123",
    "the sk-8 model",
    "what does the ghp_ prefix mean",
    "AKIA is an AWS prefix",
    "tokens start with eyJ",
    "request 123e4567-e89b-12d3-a456-426614174000 failed",
    "commit a94a8fe broke it",
    "antidisestablishmentarianism",
    "/usr/local/bin/python3.11",
    "see https://example.com/help/reset-password-now",
    "the reply_to_customer_tool_name",
    "xoxo, Jane",
    "task-manager-2024-edition",
    "v2.10.3-beta.1",
    "user U024BE7LH",
    "MyVeryLongClassName2024Edition",
    "Password: forgot it again",
    "my token expired",
    "API key not working",
    "SGVsbG8=",
    "NIMBUS-PRO-2024-ANNUAL",
    "IMG_20240512_143015.jpg",
    "NimbusDesktopInstaller2024",
    "Requests are limited per API key: 100 per minute on Free",
]


def _expected(text: str, value: str, placeholder: str) -> str:
    assert value in text, "a case names a part of its own text"
    return text.replace(value, placeholder)


@pytest.mark.parametrize(("text", "value"), EMAILS)
def test_an_email_address_is_redacted(text: str, value: str) -> None:
    assert redactor.redact(text) == _expected(text, value, "[email]")


@pytest.mark.parametrize("text", NOT_EMAILS)
def test_an_email_look_alike_is_kept(text: str) -> None:
    assert redactor.redact(text) == text


@pytest.mark.parametrize(("text", "value"), PHONES)
def test_a_phone_number_is_redacted(text: str, value: str) -> None:
    assert redactor.redact(text) == _expected(text, value, "[phone]")


@pytest.mark.parametrize("text", NOT_PHONES)
def test_a_phone_look_alike_is_kept(text: str) -> None:
    assert redactor.redact(text) == text


@pytest.mark.parametrize(("text", "value"), CARDS)
def test_a_card_number_is_redacted(text: str, value: str) -> None:
    assert luhn_ok("".join(c for c in value if c.isdigit()))
    assert redactor.redact(text) == _expected(text, value, "[card]")


@pytest.mark.parametrize("text", NOT_CARDS)
def test_a_card_look_alike_is_kept(text: str) -> None:
    assert redactor.redact(text) == text


@pytest.mark.parametrize(("text", "value"), IBANS)
def test_an_iban_is_redacted(text: str, value: str) -> None:
    assert iban_checksum_ok(value.replace(" ", ""))
    assert redactor.redact(text) == _expected(text, value, "[iban]")


@pytest.mark.parametrize("text", NOT_IBANS)
def test_an_iban_look_alike_is_kept(text: str) -> None:
    assert redactor.redact(text) == text


@pytest.mark.parametrize(("text", "value"), SECRETS)
def test_a_secret_is_redacted(text: str, value: str) -> None:
    assert redactor.redact(text) == _expected(text, value, "[secret]")


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_a_secret_look_alike_is_kept(text: str) -> None:
    assert redactor.redact(text) == text


def test_each_kind_has_at_least_twenty_cases_both_ways() -> None:
    for cases in (EMAILS, PHONES, CARDS, IBANS, SECRETS):
        assert len(cases) >= 20
    for cases in (NOT_EMAILS, NOT_PHONES, NOT_CARDS, NOT_IBANS, NOT_SECRETS):
        assert len(cases) >= 20


def test_one_message_with_every_kind_keeps_the_words_around_them() -> None:
    text = (
        "Hi, I'm jane@example.com, call +33 6 12 34 56 78. Card 4111 1111 1111 1111, "
        "IBAN FR76 3000 6000 0112 3456 7890 189, key sk-ant-api03-AbCdEf1234567890_GhIjKlMn. "
        "Order ORD-2024-00123 of 2024-05-12 for $49.99 (ticket T-12)."
    )
    assert redactor.redact(text) == (
        "Hi, I'm [email], call [phone]. Card [card], IBAN [iban], key [secret]. "
        "Order ORD-2024-00123 of 2024-05-12 for $49.99 (ticket T-12)."
    )


def test_what_the_faq_itself_says_can_be_kept() -> None:
    faq_answer = "Email billing@nimbus.example with the invoice number."
    text = "Write to billing@nimbus.example or to me at eve@evil.example."
    assert redactor.redact(text, keep=faq_answer) == (
        "Write to billing@nimbus.example or to me at [email]."
    )


def test_log_records_are_redacted_whatever_logger_writes_them(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.handler.addFilter(RedactingFilter())
    try:
        logging.getLogger("bot.some.module").warning(
            "customer %s wrote %r", "jane@example.com", "my card is 4111 1111 1111 1111"
        )
        try:
            raise ValueError("bad token sk-ant-api03-AbCdEf1234567890_GhIjKlMn")
        except ValueError:
            logging.getLogger("bot").exception("failed for +33 6 12 34 56 78")
    finally:
        caplog.handler.removeFilter(caplog.handler.filters[-1])
    assert "jane@example.com" not in caplog.text and "4111" not in caplog.text
    assert "sk-ant-api03" not in caplog.text and "12 34 56 78" not in caplog.text
    assert "customer [email] wrote 'my card is [card]'" in caplog.text
    assert "ValueError: bad token [secret]" in caplog.text


def test_the_installed_filter_redacts_what_every_handler_writes() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("faqbot-test-redaction")
    logger.propagate = False
    logger.addHandler(logging.StreamHandler(stream))
    install_log_redaction(logger)
    install_log_redaction(logger)  # idempotent: one filter per handler
    child = logging.getLogger("faqbot-test-redaction.child")
    child.warning("IBAN %s", "DE89370400440532013000")
    # A log call whose arguments do not fit is the handler's to report, never the caller's crash.
    child.warning("%s and %s", "only one")
    filters = logger.handlers[0].filters
    logger.handlers.clear()
    assert stream.getvalue() == "IBAN [iban]\n"
    assert len(filters) == 1


def test_json_log_lines_are_redacted_exceptions_included() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("faqbot-test-json-redaction")
    logger.propagate = False
    logger.addHandler(handler)
    install_log_redaction(logger)
    try:
        raise RuntimeError("customer jane@example.com, card 4111 1111 1111 1111")
    except RuntimeError:
        logger.exception("while answering +33 6 12 34 56 78")
    logger.handlers.clear()
    line = json.loads(stream.getvalue())
    assert line["message"] == "while answering [phone]"
    assert "RuntimeError: customer [email], card [card]" in line["exception"]


def test_a_draft_made_from_a_ticket_keeps_no_personal_data() -> None:
    # Drafts outlive the conversation and may be published to every customer.
    ticket = Ticket(
        id="T-7",
        key=ConversationKey("slack", "W1", "D1", None),
        user_id="U1",
        user_name="Jane",
        question="my password is hunter2 and my card 4111 1111 1111 1111 was refused",
        transcript=(
            ("customer", "my password is hunter2 and my card 4111 1111 1111 1111 was refused"),
            ("agent", "I called you on 06 12 34 56 78: use a new card, no need to reset it."),
        ),
        reason="no answer",
        language="en",
    )
    assert draft_from_ticket(ticket) == (
        "my password is [secret] and my card [card] was refused",
        "I called you on [phone]: use a new card, no need to reset it.",
    )
