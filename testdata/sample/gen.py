#!/usr/bin/env python3
"""Regenerates the sample data: testdata/sample/CloudAppEvents.jsonl,
SigninLogs.jsonl and MailboxRules.csv (Get-InboxRule state in the
Microsoft-Extractor-Suite layout): a deterministic, made-up Contoso tenant
with 60 days of benign Exchange Online activity and sign-ins, and one
instance of each playbook attack (each one commented below).

Run from the repository root: python3 testdata/sample/gen.py
"""
import csv, json, random, datetime as dt

random.seed(20240301)
START = dt.datetime(2024, 1, 1)
DAYS = 60
EXO = "Microsoft Exchange Online"

users = [
    # upn, object id, display name, ip prefix, isp, country, city, user agent
    ("adelev@contoso.com", "4f1c6e1a-1b7e-4a0e-9f3c-0a1b2c3d4e01", "Adele Vance", "203.0.113.", "Contoso Fiber", "US", "Seattle",
     "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0 Safari/537.36 Edg/121.0"),
    ("alexw@contoso.com", "4f1c6e1a-1b7e-4a0e-9f3c-0a1b2c3d4e02", "Alex Wilber", "198.51.100.", "Northwind Cable", "US", "Redmond",
     "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17231; Pro)"),
    ("meganb@contoso.com", "4f1c6e1a-1b7e-4a0e-9f3c-0a1b2c3d4e03", "Megan Bowen", "192.0.2.", "Fabrikam Telecom", "GB", "London",
     "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15"),
    ("diegos@contoso.com", "4f1c6e1a-1b7e-4a0e-9f3c-0a1b2c3d4e04", "Diego Siciliani", "203.0.113.", "Contoso Fiber", "US", "Seattle",
     "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17231; Pro)"),
    ("admin@contoso.com", "4f1c6e1a-1b7e-4a0e-9f3c-0a1b2c3d4e05", "Exchange Admin", "198.51.100.", "Northwind Cable", "US", "Redmond",
     "Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.19045; en-US) PowerShell/7.4.1"),
]

rows = []

def event(ts, user, action, params=None, ip=None, isp=None, country=None, city=None, ua=None, extra=None, admin=False):
    upn, oid, name, prefix, uisp, ucountry, ucity, uua = user
    ip = ip or prefix + str(10 + (sum(map(ord, upn)) % 200))
    raw = {
        "CreationTime": ts.strftime("%Y-%m-%dT%H:%M:%S"),
        "Id": "%08x-0000-4000-8000-%012x" % (len(rows), len(rows) * 7919),
        "Operation": action,
        "OrganizationId": "b7f3c5d2-0000-4000-8000-000000000001",
        "RecordType": 1 if params is not None else 50,
        "ResultStatus": "True" if params is not None else "Succeeded",
        "UserKey": oid,
        "UserType": 2 if admin else 0,
        "Workload": "Exchange",
        "ClientIP": ip + ":" + str(40000 + len(rows) % 20000),
        "UserId": upn,
    }
    if params is not None:
        raw["ObjectId"] = upn.split("@")[0] + "\\" + next((p["Value"] for p in params if p["Name"] == "Name"), action)
        raw["Parameters"] = params
    if extra:
        raw.update(extra)
    rows.append({
        "Timestamp": ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ActionType": action,
        "Application": EXO,
        "ApplicationId": 20893,
        "AccountObjectId": oid,
        "AccountId": oid,
        "AccountDisplayName": name,
        "IsAdminOperation": admin,
        "IPAddress": ip,
        "CountryCode": country or ucountry,
        "City": city or ucity,
        "ISP": isp or uisp,
        "UserAgent": ua or uua,
        "RawEventData": raw,
    })

# Benign background: mail access and sending during working hours.
for day in range(DAYS):
    date = START + dt.timedelta(days=day)
    if date.weekday() >= 5:
        continue
    for u in users:
        for _ in range(random.randint(2, 5)):
            ts = date + dt.timedelta(hours=random.randint(8, 17), minutes=random.randint(0, 59), seconds=random.randint(0, 59))
            event(ts, u, "MailItemsAccessed", extra={"MailAccessType": "Bind", "OperationCount": random.randint(1, 12)})
        for _ in range(random.randint(0, 3)):
            ts = date + dt.timedelta(hours=random.randint(8, 17), minutes=random.randint(0, 59))
            event(ts, u, "Send", extra={"Item": {"Subject": random.choice(["Weekly sync", "Re: budget", "Lunch?", "FW: slides"])}})

adele, alex, megan, diego, admin = users

def p(*pairs):
    return [{"Name": k, "Value": v} for k, v in pairs]

# Benign rules made from the users' usual IPs.
event(START + dt.timedelta(days=12, hours=9, minutes=14), alex, "New-InboxRule",
      p(("Name", "Newsletters"), ("From", "news@newsletter.example"), ("DeleteMessage", "True"), ("StopProcessingRules", "True")))
event(START + dt.timedelta(days=20, hours=10, minutes=2), diego, "New-InboxRule",
      p(("Name", "Project Falcon"), ("SubjectContainsWords", "Falcon"), ("MoveToFolder", "Projects\\Falcon")))
event(START + dt.timedelta(days=27, hours=11, minutes=5), megan, "New-InboxRule",
      p(("Name", "Boss to Alex"), ("From", "diegos@contoso.com"), ("ForwardTo", "alexw@contoso.com")))
event(START + dt.timedelta(days=33, hours=15, minutes=40), megan, "Set-InboxRule",
      p(("Identity", "Team"), ("Name", "Team"), ("From", "alexw@contoso.com"), ("MarkImportance", "High")))

# The attack on Adele (2024-02-27): sign-in from a new ISP and country, then a
# rule that hides security mail in RSS Feeds and forwards to a look-alike domain.
ATK_IP, ATK_ISP, ATK_C, ATK_CITY = "185.220.101.47", "Frantech Solutions", "NL", "Amsterdam"
ATK_UA = "python-requests/2.31.0"
t0 = START + dt.timedelta(days=57, hours=2, minutes=11)
for i in range(40):
    event(t0 + dt.timedelta(minutes=i), adele, "MailItemsAccessed", ip=ATK_IP, isp=ATK_ISP, country=ATK_C, city=ATK_CITY, ua=ATK_UA,
          extra={"MailAccessType": "Bind", "OperationCount": 250})
event(t0 + dt.timedelta(minutes=45), adele, "New-InboxRule",
      p(("Name", "."), ("SubjectOrBodyContainsWords", "invoice;payment;hacked;phish"), ("MoveToFolder", "RSS Feeds"),
        ("MarkAsRead", "True"), ("ForwardTo", "adele.vance@contoso-mail.com"), ("StopProcessingRules", "True")),
      ip=ATK_IP, isp=ATK_ISP, country=ATK_C, city=ATK_CITY, ua=ATK_UA)
# Admin-level forwarding on Megan's mailbox from the same attacker IP.
event(t0 + dt.timedelta(minutes=52), admin, "Set-Mailbox",
      p(("Identity", "meganb@contoso.com"), ("Name", "meganb"), ("ForwardingSmtpAddress", "smtp:megan.backup2024@gmail.com"),
        ("DeliverToMailboxAndForward", "True")),
      ip=ATK_IP, isp=ATK_ISP, country=ATK_C, city=ATK_CITY, ua=ATK_UA, admin=True)
# Export then erase the export request (T1070.008).
event(t0 + dt.timedelta(minutes=58), admin, "New-MailboxExportRequest",
      p(("Name", "exp1"), ("Mailbox", "adelev@contoso.com"), ("FilePath", "\\\\185.220.101.47\\share\\adele.pst")),
      ip=ATK_IP, isp=ATK_ISP, country=ATK_C, city=ATK_CITY, ua=ATK_UA, admin=True)
event(t0 + dt.timedelta(hours=2, minutes=3), admin, "Remove-MailboxExportRequest",
      p(("Name", "exp1"), ("Identity", "adelev@contoso.com\\exp1"), ("Confirm", "False")),
      ip=ATK_IP, isp=ATK_ISP, country=ATK_C, city=ATK_CITY, ua=ATK_UA, admin=True)
# The sign-in notification hidden at once.
event(t0 + dt.timedelta(minutes=5), adele, "MoveToDeletedItems", ip=ATK_IP, isp=ATK_ISP, country=ATK_C, city=ATK_CITY, ua=ATK_UA,
      extra={"MailboxOwnerUPN": adele[0], "Folder": {"Path": "\\Inbox"},
             "AffectedItems": [{"ParentFolder": {"Name": "Inbox", "Path": "\\Inbox"}, "Subject": "Unusual sign-in activity",
                                "InternetMessageId": "<notify-8842@accountprotection.microsoft.com>"}]})
# Org-wide transport rule deleting the replies and warnings (T1070.008).
event(t0 + dt.timedelta(minutes=55), admin, "New-TransportRule",
      p(("Name", "Mail hygiene"), ("SubjectOrBodyContainsWords", ["phishing", "payment details", "unusual sign-in"]), ("DeleteMessage", "True"),
        ("StopRuleProcessing", "True")),
      ip=ATK_IP, isp=ATK_ISP, country=ATK_C, city=ATK_CITY, ua=ATK_UA, admin=True)
# A fraud message sent and its Sent Items copy purged at once (delete after submit).
event(t0 + dt.timedelta(hours=1, minutes=55), adele, "Send", ip=ATK_IP, isp=ATK_ISP, country=ATK_C, city=ATK_CITY, ua=ATK_UA,
      extra={"Item": {"Subject": "Updated bank details", "InternetMessageId": "<fraud-0001@contoso.com>"}})
event(t0 + dt.timedelta(hours=1, minutes=56), adele, "HardDelete", ip=ATK_IP, isp=ATK_ISP, country=ATK_C, city=ATK_CITY, ua=ATK_UA,
      extra={"MailboxOwnerUPN": adele[0], "Folder": {"Path": "\\Sent Items"},
             "AffectedItems": [{"ParentFolder": {"Name": "Sent Items", "Path": "\\Sent Items"}, "Subject": "Updated bank details",
                                "InternetMessageId": "<fraud-0001@contoso.com>"}]})
# Sent items wiped after the risky sign-in.
for i in range(6):
    event(t0 + dt.timedelta(hours=2, minutes=10 + i), adele, "HardDelete", ip=ATK_IP, isp=ATK_ISP, country=ATK_C, city=ATK_CITY, ua=ATK_UA,
          extra={"MailboxOwnerUPN": adele[0], "Folder": {"Path": "\\Sent Items"},
                 "AffectedItems": [{"ParentFolder": {"Name": "Sent Items", "Path": "\\Sent Items"}, "Subject": "Invoice %d" % (4410 + i),
                                    "InternetMessageId": "<inv-%d@contoso.com>" % (4410 + i)}]})


def collection_events():
    """Attack and benign audit events of the email-collection pack (owned by
    that pack's engineer); appended to rows before they are written."""
    # Low-and-slow collection of Diego's mailbox (T1114.002): 12 proxy exit IPs in
    # 4 countries, each reading a handful of items 2-3 times over four weeks.
    proxies = [("45.83.64.11", "DE", "Frankfurt", "Host Europe"), ("91.219.236.5", "NL", "Rotterdam", "Serverius"),
               ("104.244.72.3", "US", "Piscataway", "BuyVM"), ("109.70.100.2", "AT", "Vienna", "Foundation Applied Privacy"),
               ("146.70.12.4", "DE", "Berlin", "M247"), ("193.189.100.9", "NL", "Amsterdam", "Serverius"),
               ("198.98.51.12", "US", "Las Vegas", "BuyVM"), ("23.129.64.130", "US", "Seattle", "Emerald Onion"),
               ("51.15.43.205", "FR", "Paris", "Scaleway"), ("62.102.148.68", "SE", "Stockholm", "Privactually"),
               ("77.247.181.165", "NL", "Amsterdam", "M247"), ("89.234.157.254", "FR", "Lyon", "Scaleway")]
    for i, (ip, country, city, isp) in enumerate(proxies):
        for k in range(2 + i % 2):
            ts = START + dt.timedelta(days=30 + i * 2 + k * 3, hours=(i * 5 + k * 7) % 24, minutes=(i * 13) % 60)
            event(ts, diego, "MailItemsAccessed", ip=ip, isp=isp, country=country, city=city,
                  ua="Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:122.0) Gecko/20100101 Firefox/122.0",
                  extra={"MailboxOwnerUPN": diego[0], "OperationCount": 4 + (i + k) % 9,
                         "OperationProperties": [{"Name": "MailAccessType", "Value": "Bind"}], "ClientInfoString": "Client=OWA;Action=ViaProxy"})
    # Benign delegation: Alex gets FullAccess to the shared "sales" mailbox (low).
    event(START + dt.timedelta(days=40, hours=10, minutes=12), admin, "Add-MailboxPermission",
          p(("Identity", "sales@contoso.com"), ("User", "alexw@contoso.com"), ("AccessRights", "FullAccess"), ("InheritanceType", "All")), admin=True)
    # The attacker, as the admin, grants a hidden FullAccess on Diego's mailbox (medium)...
    event(t0 + dt.timedelta(minutes=53), admin, "Add-MailboxPermission",
          p(("Identity", "diegos@contoso.com"), ("User", "admin@contoso.com"), ("AccessRights", "FullAccess"), ("InheritanceType", "All"),
            ("AutoMapping", "False")),
          ip=ATK_IP, isp=ATK_ISP, country=ATK_C, city=ATK_CITY, ua=ATK_UA, admin=True)
    # ...and adds an org-wide transport rule copying finance mail to a look-alike domain (high).
    event(t0 + dt.timedelta(minutes=57), admin, "New-TransportRule",
          p(("Name", "Journal sync"), ("SentToScope", "InOrganization"), ("SubjectOrBodyContainsWords", ["invoice", "payment", "wire"]),
            ("BlindCopyTo", ["records@contoso-archive.com"]), ("Priority", "0")),
          ip=ATK_IP, isp=ATK_ISP, country=ATK_C, city=ATK_CITY, ua=ATK_UA, admin=True)
    # Benign transport rule: disclaimer on outbound mail, from the admin's usual IP.
    event(START + dt.timedelta(days=15, hours=14, minutes=3), admin, "New-TransportRule",
          p(("Name", "External disclaimer"), ("FromScope", "InOrganization"), ("SentToScope", "NotInOrganization"),
            ("ApplyHtmlDisclaimerText", "<p>This message is confidential.</p>"), ("ApplyHtmlDisclaimerLocation", "Append")), admin=True)


collection_events()

# Sign-ins (Sentinel SigninLogs): each user on working days from the usual IP,
# then the attacker's risky sign-in to Adele and a password spray on Megan.
signins = []

def signin(ts, user, ip=None, result="0", risk="none", state="none", location=None, ua=None, app="Office 365 Exchange Online"):
    upn, oid, name, prefix, uisp, ucountry, ucity, uua = user
    signins.append({
        "TimeGenerated": ts.strftime("%Y-%m-%dT%H:%M:%SZ"), "UserPrincipalName": upn, "UserId": oid, "UserDisplayName": name,
        "IPAddress": ip or prefix + str(10 + (sum(map(ord, upn)) % 200)), "Location": location or ucountry,
        "ResultType": result, "ResultDescription": "" if result == "0" else "Invalid username or password or Invalid on-premise username or password.",
        "AppDisplayName": app, "ClientAppUsed": "Browser", "UserAgent": ua or uua,
        "RiskLevelDuringSignIn": risk, "RiskLevelAggregated": risk, "RiskState": state, "ConditionalAccessStatus": "notApplied",
    })

for day in range(DAYS):
    date = START + dt.timedelta(days=day)
    if date.weekday() >= 5:
        continue
    for u in users:
        signin(date + dt.timedelta(hours=8, minutes=random.randint(0, 40)), u)
for i in range(5):
    signin(t0 - dt.timedelta(minutes=30 - i), megan, ip=ATK_IP, result="50126", location=ATK_C, ua=ATK_UA)
signin(t0 - dt.timedelta(minutes=1), adele, ip=ATK_IP, risk="high", state="atRisk", location=ATK_C, ua=ATK_UA)
signins.sort(key=lambda r: r["TimeGenerated"])
with open("testdata/sample/SigninLogs.jsonl", "w") as f:
    for r in signins:
        f.write(json.dumps(r, separators=(",", ":")) + "\n")

# Mailbox rule state at the end (Get-InboxRule via Microsoft-Extractor-Suite).
with open("testdata/sample/MailboxRules.csv", "w", newline="", encoding="utf-8-sig") as f:
    w = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerow(["UserName", "RuleName", "RuleEnabled", "CopytoFolder", "MovetoFolder", "RedirectTo", "ForwardTo", "TextDescription"])
    w.writerow(["adelev@contoso.com", ".", "True", "", "RSS Feeds", "", '"adele.vance@contoso-mail.com" [SMTP:adele.vance@contoso-mail.com]',
                "If the message:\n\tincludes these words in the subject or body: 'invoice' or 'payment' or 'hacked' or 'phish'\n"
                "Take the following actions:\n\tmove the message to folder 'RSS Feeds'\n\tand mark the message as read\n"
                "\tand forward the message to 'adele.vance@contoso-mail.com'\n\tand stop processing more rules on this message\n"])
    w.writerow(["alexw@contoso.com", "Newsletters", "True", "", "", "", "",
                "If the message:\n\tthe message was received from 'news@newsletter.example'\n"
                "Take the following actions:\n\tdelete the message\n\tand stop processing more rules on this message\n"])
    w.writerow(["diegos@contoso.com", "Project Falcon", "True", "", "Projects\\Falcon", "", "",
                "If the message:\n\tincludes these words in the subject: 'Falcon'\nTake the following actions:\n\tmove the message to folder 'Falcon'\n"])
    w.writerow(["meganb@contoso.com", "Boss to Alex", "True", "", "", "", '"Alex Wilber" [SMTP:alexw@contoso.com]',
                "If the message:\n\tthe message was received from 'Diego Siciliani'\nTake the following actions:\n\tforward the message to 'Alex Wilber'\n"])

rows.sort(key=lambda r: r["Timestamp"])
with open("testdata/sample/CloudAppEvents.jsonl", "w") as f:
    for r in rows:
        f.write(json.dumps(r, separators=(",", ":")) + "\n")
print(len(rows), "audit rows,", len(signins), "sign-ins")
