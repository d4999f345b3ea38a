#!/usr/bin/env python3
"""Regenerates testdata/sample/CloudAppEvents.jsonl: a deterministic, made-up
Contoso tenant with 60 days of benign Exchange Online activity and one
instance of each playbook attack (see README in this folder).

Run from the repository root: python3 testdata/sample/gen.py
"""
import json, random, datetime as dt

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
# Sent items wiped after the risky sign-in.
for i in range(6):
    event(t0 + dt.timedelta(hours=2, minutes=10 + i), adele, "HardDelete", ip=ATK_IP, isp=ATK_ISP, country=ATK_C, city=ATK_CITY, ua=ATK_UA,
          extra={"AffectedItems": [{"ParentFolder": {"Name": "Sent Items", "Path": "\\Sent Items"}, "Subject": "Invoice %d" % (4410 + i)}]})

rows.sort(key=lambda r: r["Timestamp"])
with open("testdata/sample/CloudAppEvents.jsonl", "w") as f:
    for r in rows:
        f.write(json.dumps(r, separators=(",", ":")) + "\n")
print(len(rows), "rows")
