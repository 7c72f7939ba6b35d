"""The demo data set: Nordhost, a small Swedish hosting company, and its helpdesk.

The data is a snapshot taken at `SNAPSHOT` (2026-11-01 12:00 UTC): every event happens before
it, at fixed times, so that the demo is the same on every machine. Addresses use the reserved
`.example` top-level domain and IP addresses the documentation ranges, so nothing in it points
at a real person or network. `demo.py` loads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

SNAPSHOT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
# The demo is loaded when this staff member exists.
MARKER_USERNAME = "sara.ek"


@dataclass(frozen=True, slots=True)
class ClientSpec:
    key: str
    firstname: str
    lastname: str
    company: str
    email: str
    group: str
    status: str
    created: str


@dataclass(frozen=True, slots=True)
class StaffSpec:
    username: str
    firstname: str
    lastname: str
    email: str


@dataclass(frozen=True, slots=True)
class DepartmentSpec:
    slug: str
    name: str
    description: str
    email: str
    visible: bool
    auto_close_hours: float
    client_can_reopen: bool
    resolve_within_hours: int
    # (level, hours, trigger)
    sla: tuple[tuple[int, float, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    key: str
    client: str
    service_type: str
    name: str
    status: str
    next_due: date
    hostname: str


@dataclass(frozen=True, slots=True)
class Message:
    """A reply, `after` minutes after the ticket was opened.

    `by` is `client` (the ticket's client), `guest` (the ticket's e-mail sender), `system`, or
    a staff username.
    """

    after: int
    by: str
    body: str
    status: str = "Sent"
    rating: int = 0
    attachment: str | None = None


@dataclass(frozen=True, slots=True)
class NoteSpec:
    after: int
    by: str
    body: str


@dataclass(frozen=True, slots=True)
class LinkSpec:
    service: str
    ai_summary: str = ""
    ai_helpful: bool | None = None


@dataclass(frozen=True, slots=True)
class TicketSpec:
    number: int
    client: str | None
    dept: str
    subject: str
    body: str
    status: str
    priority: str
    opened: str
    request_type: str = "General"
    type: str = "Client"
    # The staff member who opened a ticket of type Admin.
    opened_by: str | None = None
    # (name, address) of a sender without an account.
    guest: tuple[str, str] | None = None
    senderip: str = ""
    messages: tuple[Message, ...] = ()
    notes: tuple[NoteSpec, ...] = ()
    owner: str | None = None
    tags: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    cc: str = ""
    bcc: str = ""
    subscribers: tuple[str, ...] = ()
    links: tuple[LinkSpec, ...] = ()
    flags: int = 0
    merged_into: int | None = None
    # Minutes after opening of a change that is not a message (a merge, a status change).
    changed_after: int = 0
    escalated: int = 0
    deadline: str | None = None
    # (minutes after opening, editor's name) when staff edited the opening message.
    edited: tuple[int, str] | None = None


GROUPS = ("Business", "Private")

CLIENTS = (
    ClientSpec(
        "anna",
        "Anna",
        "Lindqvist",
        "Lindqvist Design AB",
        "anna@lindqvistdesign.example",
        "Business",
        "Active",
        "2023-03-14 10:22",
    ),
    ClientSpec(
        "bjorn",
        "Björn",
        "Karlsson",
        "Karlsson Bygg AB",
        "bjorn@karlssonbygg.example",
        "Business",
        "Suspended",
        "2022-09-01 08:05",
    ),
    ClientSpec(
        "maria",
        "Maria",
        "Nilsson",
        "",
        "maria.nilsson@bredband.example",
        "Private",
        "Active",
        "2024-06-20 19:41",
    ),
    ClientSpec(
        "erik",
        "Erik",
        "Johansson",
        "",
        "erik@erikjohansson.example",
        "Private",
        "Active",
        "2025-01-08 21:13",
    ),
)

STAFF = (
    StaffSpec("sara.ek", "Sara", "Ek", "sara.ek@nordhost.example"),
    StaffSpec("johan.berg", "Johan", "Berg", "johan.berg@nordhost.example"),
    StaffSpec("lina.holm", "Lina", "Holm", "lina.holm@nordhost.example"),
)

DEPARTMENTS = (
    DepartmentSpec(
        "technical-support",
        "Technical Support",
        "Servers, DNS, e-mail, SSL and everything else that should just work.",
        "support@nordhost.example",
        visible=True,
        auto_close_hours=72,
        client_can_reopen=True,
        resolve_within_hours=48,
        sla=((1, 4, "first_response"), (2, 24, "next_response")),
    ),
    DepartmentSpec(
        "billing",
        "Billing",
        "Invoices, payments, upgrades and cancellations.",
        "billing@nordhost.example",
        visible=True,
        auto_close_hours=120,
        client_can_reopen=True,
        resolve_within_hours=0,
    ),
    DepartmentSpec(
        "abuse",
        "Abuse",
        "Spam, phishing and other abuse reports (opened by staff or by e-mail).",
        "abuse@nordhost.example",
        visible=False,
        auto_close_hours=0,
        client_can_reopen=False,
        resolve_within_hours=24,
        sla=((1, 2, "first_response"),),
    ),
)

# A status that staff defined: not one of HostBill's built-ins, so v2 shows it as `unknown`.
CUSTOM_STATUS = ("Waiting-Vendor", "795548")

SERVICES = (
    ServiceSpec(
        "anna-vps",
        "anna",
        "vps",
        "VPS Pro 8 GB",
        "Active",
        date(2026, 12, 15),
        "web01.lindqvistdesign.example",
    ),
    ServiceSpec(
        "anna-domain",
        "anna",
        "domain",
        "lindqvistdesign.example",
        "Active",
        date(2027, 3, 2),
        "",
    ),
    ServiceSpec(
        "bjorn-hosting",
        "bjorn",
        "hosting",
        "Webbhotell Bas",
        "Suspended",
        date(2026, 10, 1),
        "s12.nordhost.example",
    ),
    ServiceSpec(
        "maria-hosting",
        "maria",
        "hosting",
        "Webbhotell Plus",
        "Active",
        date(2027, 1, 8),
        "s07.nordhost.example",
    ),
    ServiceSpec(
        "erik-vps",
        "erik",
        "vps",
        "VPS Start 2 GB",
        "Active",
        date(2026, 11, 20),
        "vps-erik.nordhost.example",
    ),
    ServiceSpec(
        "erik-domain",
        "erik",
        "domain",
        "erikjohansson.example",
        "Pending Transfer",
        date(2027, 10, 29),
        "",
    ),
)

NGINX_LOG = b"""\
2026/10/30 02:58:41 [notice] 1204#1204: signal process started
2026/10/30 03:04:17 [emerg] 688#688: cannot load certificate \
"/etc/letsencrypt/live/lindqvistdesign.example/fullchain.pem": BIO_new_file() failed \
(SSL: error:80000002:system library::No such file or directory)
2026/10/30 07:31:55 [emerg] 2290#2290: cannot load certificate \
"/etc/letsencrypt/live/lindqvistdesign.example/fullchain.pem": BIO_new_file() failed \
(SSL: error:80000002:system library::No such file or directory)
"""

BANKGIRO_RECEIPT = """\
Betalningskvitto / Payment receipt
Mottagare / Payee:       Nordhost AB, Bankgiro 5555-1234
Betalare / Payer:        Karlsson Bygg AB
OCR:                     202609117
Belopp / Amount:         1 188,00 SEK
Betalningsdag / Date:    2026-10-31
Status:                  Genomförd / Completed
""".encode()

# filename: (content type, bytes)
FILES = {
    "nginx-error.log": ("text/plain", NGINX_LOG),
    "bankgiro-receipt.txt": ("text/plain", BANKGIRO_RECEIPT),
}

_MARIA_SECOND_MESSAGE = (
    "Hi again,\n\nit is still not working and I am waiting for an important e-mail from the "
    "bank. Please help!\n\nMaria"
)
_AUTO_CLOSED = "This ticket was closed automatically after 72 hours without a reply."

TICKETS = (
    TicketSpec(
        616828,
        "anna",
        "technical-support",
        "Website down after VPS reboot: nginx will not start",
        "Hi,\n\nAfter last night's scheduled reboot of our VPS (web01.lindqvistdesign.example) "
        'the website says "This site can\'t be reached". I can log in over SSH and the server '
        "is up, but `systemctl status nginx` says the service failed. We haven't changed "
        "anything on the server ourselves.\n\nCould you take a look? Our web shop runs on this "
        "server, so it's fairly urgent.\n\nBest regards,\nAnna Lindqvist\nLindqvist Design AB",
        "In-Progress",
        "high",
        "2026-10-30 07:42",
        request_type="Incident",
        senderip="198.51.100.23",
        messages=(
            Message(
                34,
                "sara.ek",
                "Hi Anna,\n\nThanks for reporting this. The VPS itself is running and its node "
                "is healthy, so this looks like a problem inside the server. Could you send us "
                "the output of `sudo nginx -t` and the last lines of /var/log/nginx/error.log?"
                "\n\nKind regards,\nSara Ek\nNordhost Support",
            ),
            Message(
                71,
                "client",
                "Hi Sara,\n\nnginx -t says it cannot load the certificate. The error log is "
                "attached.\n\n/Anna",
                attachment="nginx-error.log",
            ),
            Message(
                118,
                "sara.ek",
                "Hi Anna,\n\nnginx could not load the certificate: the automatic Let's Encrypt "
                "renewal during the night failed half-way, because the reboot restored old "
                "firewall rules that block port 80, and left the certificate link pointing at a "
                "file that does not exist. We have opened port 80 again, renewed the "
                "certificate and started nginx; the shop answers over HTTPS again.\n\nPlease "
                "check that everything looks right on your side.\n\nKind regards,\nSara Ek",
            ),
            Message(
                185,
                "client",
                "The shop works again, thank you! One more thing: messages sent through the "
                "contact form this morning never reached info@lindqvistdesign.example. Is that "
                "related?\n\n/Anna",
            ),
            Message(
                232,
                "lina.holm",
                "Hi Anna,\n\nThat is a separate issue: the contact form sends with PHP's mail() "
                "from the server itself, and your domain's SPF record only allows our mail "
                "cluster, so receiving servers reject the messages. We suggest letting the form "
                "send through SMTP with authentication instead: server mail.nordhost.example, "
                "port 587, STARTTLS, and the login of the info@ mailbox.\n\nKind regards,\n"
                "Lina Holm",
                status="Draft",
            ),
        ),
        notes=(
            NoteSpec(
                120,
                "sara.ek",
                "Root cause: the reboot script on web01 restored an old ufw rule set (port 80 "
                "closed), so certbot's HTTP-01 challenge failed. Checked the other VPSs on node "
                "sto-kvm-07: not affected.",
            ),
            NoteSpec(
                236,
                "lina.holm",
                "Contact form: the SPF record is 'v=spf1 include:_spf.nordhost.example -all', "
                "so mail() from web01 fails. Drafted a reply with the SMTP settings; Sara, "
                "please review before it goes out.",
            ),
        ),
        owner="sara.ek",
        tags=("nginx", "ssl", "vps"),
        labels=("source:portal", "language:sv"),
        cc="oskar@lindqvistdesign.example",
        bcc="escalations@nordhost.example",
        subscribers=("sara.ek", "lina.holm"),
        links=(
            LinkSpec(
                "anna-vps",
                "nginx failed to start after a reboot: the Let's Encrypt renewal could not "
                "reach port 80 (old firewall rules restored), leaving no certificate. Port 80 "
                "reopened, certificate renewed, site back up. Still open: contact-form mail is "
                "rejected because of the domain's SPF record.",
                ai_helpful=True,
            ),
        ),
    ),
    TicketSpec(
        274109,
        "anna",
        "billing",
        "Invoice 2026-10388 is missing our VAT number",
        "Hello,\n\nOur invoice 2026-10388 for the VPS does not show our VAT registration number "
        "(SE556677889901), which our accountant needs. Could you send a corrected invoice?"
        "\n\nThanks,\nAnna",
        "Closed",
        "low",
        "2026-10-06 13:05",
        request_type="Billing",
        senderip="198.51.100.23",
        messages=(
            Message(
                95,
                "johan.berg",
                "Hi Anna,\n\nWe have added the VAT number to your account and issued a "
                "corrected invoice, 2026-10388-K1. You can download it under Billing > Invoices "
                "in the customer portal.\n\nBest regards,\nJohan Berg\nNordhost Billing",
                rating=5,
            ),
            Message(180, "client", "Got it, thank you! You can close this.\n\n/Anna"),
        ),
        tags=("invoice",),
        labels=("source:portal",),
    ),
    TicketSpec(
        731552,
        "anna",
        "technical-support",
        "Add a DKIM record for lindqvistdesign.example",
        "Hi,\n\nWe're moving our newsletter to a new mail provider, and they ask us to publish "
        "this DKIM record:\n\nnl1._domainkey.lindqvistdesign.example TXT "
        '"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAx3v..."\n\n'
        "Our DNS is with you. Could you add it?\n\n/Anna",
        "Answered",
        "medium",
        "2026-10-30 14:20",
        request_type="Task",
        senderip="198.51.100.23",
        messages=(
            Message(
                50,
                "sara.ek",
                "Hi Anna,\n\nThe record is published and our name servers already answer with "
                "it (TTL 3600). Your provider's check may take up to an hour to see it.\n\n"
                "Kind regards,\nSara Ek",
            ),
        ),
        tags=("dns", "email"),
        labels=("source:portal",),
        links=(LinkSpec("anna-domain"),),
    ),
    TicketSpec(
        358917,
        "anna",
        "technical-support",
        "SSL certificate for shop.lindqvistdesign.example has expired",
        "Hi,\n\nVisitors get a warning that the certificate for shop.lindqvistdesign.example "
        "expired yesterday. Isn't AutoSSL supposed to renew it?\n\nAnna",
        "Closed",
        "high",
        "2026-10-13 08:15",
        request_type="Incident",
        senderip="198.51.100.23",
        messages=(
            Message(
                40,
                "sara.ek",
                "Hi Anna,\n\nAutoSSL could not renew the certificate because "
                "shop.lindqvistdesign.example still pointed at your previous host "
                "(192.0.2.77), so the domain check failed. We have pointed the A record at your "
                "VPS and issued a new certificate, valid until 11 January 2027.\n\n"
                "Kind regards,\nSara Ek",
                rating=5,
            ),
            Message(40 + 72 * 60, "system", _AUTO_CLOSED),
        ),
        owner="sara.ek",
        tags=("dns", "ssl"),
        labels=("source:portal",),
    ),
    TicketSpec(
        902346,
        "anna",
        "technical-support",
        "Migrate Lindqvist Design's mailboxes to the mx3 cluster",
        "Lindqvist Design's 14 mailboxes are still on the mx1 cluster, which we retire on 15 "
        "November. Plan: copy the mailboxes with imapsync on the evening of 5 November, switch "
        "the MX records, keep mx1 as a relay for 7 days. The customer has not been told yet; "
        "Johan sends the maintenance notice once the date is confirmed.",
        "In-Progress",
        "medium",
        "2026-10-28 09:00",
        request_type="Project",
        type="Admin",
        opened_by="sara.ek",
        flags=16,
        messages=(
            Message(
                1440,
                "lina.holm",
                "Dry run of imapsync finished: 14 mailboxes, 38.2 GB, no errors. The evening "
                "of 5 November works for me.",
            ),
        ),
        notes=(
            NoteSpec(60, "sara.ek", "The customer has a catch-all on info@: recreate it on mx3."),
        ),
        owner="lina.holm",
        tags=("email", "migration"),
        labels=("source:staff",),
        subscribers=("johan.berg",),
        deadline="2026-11-06 17:00",
    ),
    TicketSpec(
        445071,
        "maria",
        "technical-support",
        "No incoming e-mail since this morning",
        "Hello,\n\nSince this morning I don't get any e-mail to maria@nilsson.example. Sending "
        "works. Have you changed something?\n\nMaria Nilsson",
        "Answered",
        "medium",
        "2026-10-31 08:12",
        request_type="Incident",
        senderip="203.0.113.140",
        messages=(
            # Ticket 445388's opening message, moved here when it was merged into this one.
            Message(47, "client", _MARIA_SECOND_MESSAGE),
            Message(
                95,
                "sara.ek",
                "Hi Maria,\n\nSorry for the wait. Your mailbox had reached its 5 GB quota, so "
                "incoming mail was held back (nothing is lost). We have raised the quota to "
                "10 GB free of charge this month, and the held messages are being delivered "
                "now. Emptying the Trash folder in webmail frees space too.\n\nI merged your "
                "second ticket into this one, so that everything is in one place.\n\n"
                "Kind regards,\nSara Ek",
            ),
        ),
        owner="sara.ek",
        tags=("email",),
        labels=("source:portal",),
        links=(LinkSpec("maria-hosting"),),
    ),
    TicketSpec(
        445388,
        "maria",
        "technical-support",
        "E-mail still not working!",
        _MARIA_SECOND_MESSAGE,
        "Closed",
        "medium",
        "2026-10-31 08:59",
        request_type="Incident",
        senderip="203.0.113.140",
        merged_into=445071,
        changed_after=48,
        labels=("source:portal",),
    ),
    TicketSpec(
        803614,
        "maria",
        "billing",
        "Change payment method to card",
        "Hi,\n\nI'd like to pay by card instead of invoice from now on. How do I change that?"
        "\n\nMaria",
        "Open",
        "low",
        "2026-11-01 10:31",
        request_type="Question",
        senderip="203.0.113.140",
        labels=("source:portal",),
    ),
    TicketSpec(
        127958,
        "maria",
        "technical-support",
        "Point my domain to Squarespace",
        "Hi,\n\nI have built a new site on Squarespace. What do I need to change so that "
        "nilsson.example shows it? I want to keep my e-mail with you.\n\nMaria",
        "Closed",
        "low",
        "2026-10-09 18:22",
        request_type="Question",
        senderip="203.0.113.140",
        messages=(
            Message(
                900,
                "sara.ek",
                "Hi Maria,\n\nIn the customer portal, go to Domains > nilsson.example > DNS "
                "and\n\n- change the A record for @ to Squarespace's four addresses "
                "(198.51.100.10 to 198.51.100.13),\n- change the CNAME for www to "
                "ext-cust.squarespace.example.\n\nLeave the MX records as they are, so that "
                "your e-mail keeps working. The change takes effect within an hour.\n\n"
                "Kind regards,\nSara Ek",
                rating=4,
            ),
            Message(1020, "client", "It worked, thanks a lot!\n\nMaria"),
        ),
        tags=("dns",),
        labels=("source:portal",),
    ),
    TicketSpec(
        569203,
        "maria",
        "technical-support",
        "WordPress admin is very slow",
        "The WordPress admin takes 10 to 15 seconds per page, the public site is OK-ish. Can "
        "you check the server?",
        "On-Hold",
        "medium",
        "2026-10-29 20:03",
        request_type="Problem",
        senderip="203.0.113.140",
        messages=(
            Message(
                760,
                "sara.ek",
                "Hi Maria,\n\nThe server your site is on (s07) is overloaded at times; we move "
                "all its sites to new hardware in the maintenance window on 5 November "
                "(22:00 to 02:00). I'm putting this ticket on hold until then and will check "
                "your admin's speed again after the move.\n\nKind regards,\nSara Ek",
            ),
        ),
        owner="sara.ek",
        tags=("performance", "wordpress"),
        labels=("source:portal",),
        links=(LinkSpec("maria-hosting"),),
    ),
    TicketSpec(
        690481,
        "bjorn",
        "billing",
        "Why is our website suspended?",
        "Good morning,\n\nOur website karlssonbygg.example shows a 'suspended' page since this "
        "morning, in the middle of a campaign. What happened?\n\nBjörn Karlsson\n"
        "Karlsson Bygg AB",
        "Client-Reply",
        "high",
        "2026-10-31 07:55",
        request_type="Billing",
        senderip="192.0.2.58",
        messages=(
            Message(
                62,
                "johan.berg",
                "Hi Björn,\n\nThe hosting account was suspended automatically because invoice "
                "2026-09117 (1 188 SEK) is 30 days overdue, after two reminders. As soon as the "
                "payment is registered, the site is reactivated, usually within minutes.\n\n"
                "Best regards,\nJohan Berg\nNordhost Billing",
            ),
            Message(
                400,
                "client",
                "We paid it today by Bankgiro, the receipt is attached. Please reactivate the "
                "site as soon as possible.\n\nBjörn",
                attachment="bankgiro-receipt.txt",
            ),
        ),
        owner="johan.berg",
        tags=("invoice", "suspension"),
        labels=("source:portal",),
        links=(
            LinkSpec(
                "bjorn-hosting",
                "Hosting suspended for the overdue invoice 2026-09117. The customer says it was "
                "paid by Bankgiro on 31 October and attached a receipt; the payment is not yet "
                "matched.",
                ai_helpful=False,
            ),
        ),
    ),
    TicketSpec(
        218736,
        "bjorn",
        "abuse",
        "Outgoing spam from info@karlssonbygg.example",
        "Hello,\n\nOur outgoing mail filter has stopped more than 4 000 spam messages sent "
        "through the mailbox info@karlssonbygg.example since 05:10 this morning, from logins "
        "abroad. The password has most likely leaked. We have blocked outgoing mail for the "
        "mailbox and reset its password.\n\nPlease scan the computers that use this mailbox for "
        "malware, and reply to this ticket when it is done, so that we can enable sending "
        "again.\n\nLina Holm\nNordhost Abuse Team",
        "On-Hold",
        "urgent",
        "2026-10-29 06:40",
        request_type="Incident",
        type="Admin",
        opened_by="lina.holm",
        flags=4096,
        messages=(
            Message(
                180,
                "client",
                "We have scanned both office computers and found a keylogger on one of them, "
                "which is now removed. Can you open the mailbox again?\n\nBjörn",
            ),
            Message(
                230,
                "lina.holm",
                "Thank you, Björn. Sending is enabled again, limited to 200 messages an hour. "
                "Our outgoing address 203.0.113.25 ended up on two blocklists; we have asked "
                "for delisting and keep this ticket on hold until it is done (usually 24 to 48 "
                "hours).\n\nLina Holm",
            ),
        ),
        notes=(
            NoteSpec(
                15,
                "lina.holm",
                "Logins from 45 addresses in 3 countries, no 2FA on the mailbox. Account "
                "suspension for the overdue invoice is unrelated (see Johan).",
            ),
        ),
        owner="lina.holm",
        tags=("email", "spam"),
        labels=("source:mail-filter",),
        subscribers=("johan.berg",),
    ),
    TicketSpec(
        377520,
        "bjorn",
        "technical-support",
        "Restore public_html from the backup of 10 October",
        "Hi,\n\nA plugin update broke our site. Please restore public_html from the backup of 10 "
        "October. FTP login if you need it: karlsson / (password removed by staff)\n\nBjörn",
        "Closed",
        "medium",
        "2026-10-12 11:20",
        request_type="Task",
        senderip="192.0.2.58",
        flags=1024,
        edited=(20, "Sara Ek"),
        messages=(
            Message(
                25,
                "sara.ek",
                "Hi Björn,\n\nDone: public_html is restored from the backup taken on 10 October "
                "at 03:00, and the site works again. We never need your password, so please "
                "don't send it in tickets: I have removed it from your message, and recommend "
                "that you change it.\n\nKind regards,\nSara Ek",
            ),
            Message(90, "client", "Thanks, fast as always.\n\nBjörn"),
        ),
        tags=("backup",),
        labels=("source:portal",),
        links=(LinkSpec("bjorn-hosting"),),
    ),
    TicketSpec(
        514862,
        "bjorn",
        "billing",
        "Invoice 2026-10402 has our old address",
        "Hi,\n\nThe invoice still has our old address on Hamngatan. We moved in August, the new "
        "address is Verkstadsgatan 4, 652 21 Karlstad.\n\nBjörn",
        "Closed",
        "low",
        "2026-10-20 09:30",
        request_type="Billing",
        senderip="192.0.2.58",
        messages=(
            Message(
                120,
                "johan.berg",
                "Hi Björn,\n\nWe have updated the address and reissued the invoice. I'm closing "
                "this ticket; just reply if anything else is wrong.\n\nJohan Berg",
            ),
        ),
        tags=("invoice",),
        labels=("source:portal",),
    ),
    TicketSpec(
        981047,
        "erik",
        "technical-support",
        "VPS stuck at 'Booting from Hard Disk' after a reboot",
        "Hi,\n\nI rebooted my VPS from the control panel about an hour ago and it never came "
        'back. The VNC console just says "Booting from Hard Disk..." and nothing more. I did '
        "a kernel update (apt upgrade) before the reboot.\n\nCan you mount a rescue image or "
        "something? Everything I run is on that box.\n\nErik",
        "Open",
        "urgent",
        "2026-11-01 06:05",
        request_type="Incident",
        senderip="2001:db8:4f2a::17",
        escalated=1,
        tags=("vps",),
        labels=("source:api",),
        links=(
            LinkSpec(
                "erik-vps",
                "The VPS does not boot after a reboot from the control panel; the console stops "
                "at 'Booting from Hard Disk'. Most likely a broken boot loader after a kernel "
                "update: boot a rescue image and reinstall GRUB.",
            ),
        ),
    ),
    TicketSpec(
        862395,
        "erik",
        "technical-support",
        "Transfer of erikjohansson.example is stuck",
        "Hi,\n\nI started the transfer of erikjohansson.example to you three days ago and "
        "entered the auth code, but the portal still says 'Pending Transfer'.\n\nErik",
        "Waiting-Vendor",
        "medium",
        "2026-10-29 16:44",
        request_type="Task",
        senderip="2001:db8:4f2a::17",
        messages=(
            Message(
                130,
                "sara.ek",
                "Hi Erik,\n\nThe transfer request has gone out, but your current registrar has "
                "not released the domain yet. We have contacted them and are waiting for their "
                "answer; otherwise the transfer completes automatically after 5 days. Until "
                "then the ticket waits for them.\n\nKind regards,\nSara Ek",
            ),
        ),
        owner="sara.ek",
        tags=("domain-transfer",),
        labels=("source:portal",),
        links=(LinkSpec("erik-domain"),),
    ),
    TicketSpec(
        430618,
        "erik",
        "billing",
        "Charged twice for VPS Start in October",
        "Hello,\n\nMy card was charged 149 SEK twice on 28 October for the same invoice, "
        "2026-10277. Could you refund one of them?\n\nErik",
        "Answered",
        "medium",
        "2026-10-30 11:02",
        request_type="Billing",
        senderip="2001:db8:4f2a::17",
        messages=(
            Message(
                75,
                "johan.berg",
                "Hi Erik,\n\nYou're right: the card payment for invoice 2026-10277 went "
                "through twice because of a timeout at the payment provider. We have refunded "
                "149 SEK to your card today; it usually shows on your account within 3 to 5 "
                "banking days.\n\nSorry for the trouble!\nJohan Berg",
            ),
        ),
        owner="johan.berg",
        tags=("invoice", "refund"),
        labels=("source:portal",),
    ),
    TicketSpec(
        795264,
        "erik",
        "technical-support",
        "Let's Encrypt renewal fails for the www subdomain",
        "certbot renew fails for www.erikjohansson.example with 'NXDOMAIN looking up A for "
        "www.erikjohansson.example'. The bare domain renews fine.",
        "Client-Reply",
        "medium",
        "2026-10-31 19:30",
        request_type="Problem",
        senderip="2001:db8:4f2a::17",
        messages=(
            Message(
                600,
                "sara.ek",
                "Hi Erik,\n\nThere is no www record in your zone, so the check for www cannot "
                "succeed. Add a CNAME from www to erikjohansson.example (or drop www from the "
                "certificate) and run certbot again.\n\nKind regards,\nSara Ek",
            ),
            Message(
                790,
                "client",
                "The zone is still at my old registrar until the transfer is done (see my other "
                "ticket). Can you add the record on your side already, so that it's there when "
                "the transfer completes?",
            ),
        ),
        tags=("dns", "ssl"),
        labels=("source:portal",),
        links=(LinkSpec("erik-vps"),),
    ),
    TicketSpec(
        163489,
        "erik",
        "technical-support",
        "Reverse DNS (PTR) for my VPS address",
        "Please set the PTR record of 203.0.113.45 to mail.erikjohansson.example, I'm setting "
        "up my own mail server.",
        "Closed",
        "low",
        "2026-10-19 10:10",
        request_type="Task",
        senderip="2001:db8:4f2a::17",
        messages=(
            Message(
                45,
                "sara.ek",
                "Hi Erik,\n\nDone: 203.0.113.45 now resolves to mail.erikjohansson.example. "
                "Outgoing port 25 is only closed on VPSs younger than 30 days, so yours can "
                "send mail directly. I'm closing this ticket.\n\nKind regards,\nSara Ek",
                rating=5,
            ),
        ),
        tags=("dns",),
        labels=("source:portal",),
        links=(LinkSpec("erik-vps"),),
    ),
    TicketSpec(
        327705,
        "anna",
        "billing",
        "Upgrade web01 from VPS Pro 4 GB to 8 GB",
        "Hi,\n\nWe need more memory before the Christmas sale. Can we upgrade web01 to 8 GB, "
        "and what will it cost?\n\nAnna",
        "Closed",
        "medium",
        "2026-10-21 15:48",
        request_type="Task",
        senderip="198.51.100.23",
        messages=(
            Message(
                65,
                "johan.berg",
                "Hi Anna,\n\nVPS Pro 8 GB costs 349 SEK a month instead of 229 SEK; for the rest "
                "of the current period you pay only the difference, 66 SEK. Shall we go ahead? "
                "The upgrade needs a reboot of about two minutes.\n\nJohan Berg",
            ),
            Message(110, "client", "Yes please, any time after 18:00 today.\n\n/Anna"),
            Message(
                140,
                "sara.ek",
                "Done at 18:05: web01 now has 8 GB of memory and was back online after 70 "
                "seconds. I'm closing this ticket.\n\nSara Ek",
            ),
        ),
        owner="johan.berg",
        tags=("upgrade", "vps"),
        labels=("source:portal",),
        links=(LinkSpec("anna-vps"),),
    ),
    TicketSpec(
        548190,
        None,
        "billing",
        "Questions about your VPS plans",
        "Hej!\n\nI'm thinking of moving my photography portfolio and a small web shop to you. "
        "Do your VPS plans include backups, and can I pay yearly?\n\nKarin Svensson",
        "Client-Reply",
        "low",
        "2026-10-31 16:12",
        request_type="Question",
        type="Email",
        guest=("Karin Svensson", "karin.svensson@postlada.example"),
        messages=(
            Message(
                140,
                "johan.berg",
                "Hi Karin,\n\nYes: every VPS plan includes daily backups kept for 7 days, and "
                "with yearly billing you get two months free. If you'd rather not manage a "
                "server yourself, our Webbhotell Plus may fit a portfolio and a small shop "
                "better.\n\nBest regards,\nJohan Berg\nNordhost",
            ),
            Message(
                1050,
                "guest",
                "Thanks! Can I keep my domain at my current registrar and just point it to "
                "you?\n\nKarin",
            ),
        ),
        labels=("source:email",),
    ),
    TicketSpec(
        609932,
        None,
        "abuse",
        "Phishing page on 203.0.113.80",
        "Automated report\n\nURL: http://203.0.113.80/secure-login/bank/\nFirst seen: "
        "2026-11-01 10:31 UTC\nCategory: phishing (banking)\n\nThe URL above impersonates a "
        "Swedish bank. Please take it down and reply to this message with your reference.",
        "Open",
        "critical",
        "2026-11-01 10:47",
        request_type="Incident",
        type="Email",
        guest=("CERT Monitor", "reports@certmonitor.example"),
        tags=("phishing",),
        labels=("source:email",),
    ),
)
