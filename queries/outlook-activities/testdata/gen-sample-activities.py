#!/usr/bin/env python3
"""Writes testdata/sample/OutlookActivities.csv: Adele Vance's mailbox activity
log (2024-01-01 .. 2024-02-29) as the Outlook Activities retriever writes it
(Python csv, CustomProperties as str(dict)). Benign daily use from her usual
network, then on 2024-02-26/27 the replayed-thread phish is delivered and the
attacker (185.220.101.47, the sample's attack IP) signs in through the web,
searches for payment terms, reads/forwards/hides the vendor's invoice and syncs
the mailbox over IMAP4.
Run from the repository root:
python3 queries/outlook-activities/testdata/gen-sample-activities.py"""
import csv, random, datetime as dt, uuid

random.seed(20240227)
START = dt.datetime(2024, 1, 1)
ME = "adelev@contoso.com"
HOME = "203.0.113.37"
ATK = "185.220.101.47"
rows = []
seq = [0]

def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S") + "Z"

def item():
    return "AAMkAGI2TG93AAA=" + uuid.UUID(int=random.getrandbits(128)).hex[:22]

def add(t, typ, app, sess, props, item_id=""):
    seq[0] += 1
    rows.append({"TimeStamp": iso(t), "AppIdType": app, "ActivityIdType": typ, "ActivityItemId": item_id,
                 "ActivityCreationTime": iso(t + dt.timedelta(seconds=random.randint(1, 20))),
                 "ClientSessionId": sess, "CustomProperties": str(props)})

def deliver(t, sender, subject, attach="", auth=None, recipients=ME):
    i = item()
    props = {"SenderSmtpAddress": sender, "From": sender, "Recipients": recipients, "Subject": subject,
             "SentTime": iso(t - dt.timedelta(seconds=40)), "InternetMessageId": "<%s@%s>" % (uuid.UUID(int=random.getrandbits(128)).hex[:16], sender.split("@")[1]),
             "ItemClass": "IPM.Note"}
    if attach:
        props["AttachmentDetail"] = attach
    props["AuthenticationResults"] = auth or (
        "dkim=none (message not signed) header.d=none;dmarc=none action=none header.from=contoso.com;compauth=pass reason=701"
        if sender.endswith("@contoso.com") else
        "spf=pass (sender IP is 198.51.100.25) smtp.mailfrom=%s; dkim=pass (signature was verified) header.d=%s;dmarc=pass action=none header.from=%s;compauth=pass reason=100" % ((sender.split("@")[1],) * 3))
    add(t, "MessageDelivered", "Exchange", "", props, i)
    return i

senders = [("alexw@contoso.com", "Q1 budget review", ""), ("diegos@contoso.com", "Project Falcon status", "Falcon_status.pptx"),
           ("meganb@contoso.com", "Team lunch Friday", ""), ("bob@fabrikam.com", "RE: Q1 shipment schedule", "March_delivery_plan.pdf"),
           ("news@northwind.com", "Northwind monthly news", ""), ("hr@contoso.com", "Benefits enrolment reminder", "Benefits_2024.pdf")]
for d in range(60):
    day = START + dt.timedelta(days=d)
    if day.weekday() >= 5:
        continue
    sess = "%08x-0000-4000-8000-%012x" % (d, d)
    t = day.replace(hour=8, minute=random.randint(0, 20))
    add(t, "ServerLogon", "Outlook", sess, {"ClientIP": HOME, "UserName": ME, "Result": "Success",
        "UserAgent": "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17231; Pro)"})
    for k in range(random.randint(2, 4)):
        s, subj, att = random.choice(senders)
        td = day.replace(hour=9 + k * 2, minute=random.randint(0, 59))
        i = deliver(td, s, subj, att)
        add(td + dt.timedelta(minutes=random.randint(3, 50)), "ReadingPaneDisplayStart", "Outlook", sess, {}, i)
        if s.startswith("news@"):
            add(td + dt.timedelta(minutes=55), "Delete", "Outlook", sess, {}, i)
        elif random.random() < 0.3:
            add(td + dt.timedelta(minutes=58), "Reply", "Outlook", sess, {}, i)
        else:
            add(td + dt.timedelta(minutes=57), "MarkAsRead", "Outlook", sess, {}, i)
    if d % 3 == 0:
        msess = "%08x-1111-4000-8000-%012x" % (d, d)
        add(day.replace(hour=19, minute=5), "ServerLogon", "Mobile", msess, {"ClientIP": HOME, "UserName": ME, "Result": "Success",
            "UserAgent": "Outlook-iOS/2.0"})
    if d % 7 == 2:
        add(day.replace(hour=15, minute=12), "SearchResult", "Outlook", sess,
            {"Query": "<Query><RawQuery>%s</RawQuery></Query>" % random.choice(["Falcon kickoff", "team offsite agenda", "from:alexw budget review", "lunch menu"])})

# The replayed thread reaches Adele (testdata/sample/mail/hijack-1/-2).
deliver(dt.datetime(2024, 2, 26, 8, 14, 22), "diego.siciliani@c0ntoso.com", "RE: Q3 shipment schedule",
        auth="spf=pass (sender IP is 91.215.85.17) smtp.mailfrom=c0ntoso.com; dkim=none (message not signed) header.d=none;dmarc=none action=none header.from=c0ntoso.com;compauth=fail reason=001")
deliver(dt.datetime(2024, 2, 26, 9, 40, 51), "ap@northwind-billing.net", "RE: Q3 shipment schedule", attach="Shipment_Q3_0815.html")
inv = deliver(dt.datetime(2024, 2, 23, 10, 2, 0), "billing@fabrikam.com", "Invoice 4410 - updated bank details", attach="Invoice_4410.pdf")

# The attacker's session (2024-02-27, the sample's attack on Adele).
a = "7f3c9e21-5b7d-4c1e-9a2f-185220101047"
t0 = dt.datetime(2024, 2, 27, 2, 5, 12)
add(t0, "ServerLogon", "Web", a, {"ClientIP": ATK + ", 10.20.30.40", "UserName": ME, "Result": "Success", "UserAgent": "python-requests/2.31.0"})
add(t0 + dt.timedelta(minutes=1), "SearchResult", "Web", a, {"Query": "<Query><RawQuery>wire transfer</RawQuery></Query>"})
add(t0 + dt.timedelta(minutes=2), "SearchResult", "Web", a, {"Query": "<Query><RawQuery>invoice OR payment</RawQuery></Query>"})
add(t0 + dt.timedelta(minutes=3), "SearchResult", "Web", a, {"Query": "<Query><RawQuery>IBAN</RawQuery></Query>"})
add(t0 + dt.timedelta(minutes=4), "ReadingPaneDisplayStart", "Web", a, {}, inv)
add(t0 + dt.timedelta(minutes=5), "OpenedAnAttachment", "Web", a, {}, inv)
add(t0 + dt.timedelta(minutes=6), "Forward", "Web", a, {}, inv)
add(t0 + dt.timedelta(minutes=7), "Move", "Web", a, {"TargetFolder": "RSS Feeds"}, inv)
b = "7f3c9e21-5b7d-4c1e-9a2f-185220101048"
add(t0 + dt.timedelta(minutes=25), "ServerLogon", "IMAP4", b, {"ClientIP": ATK, "UserName": ME, "Result": "Success", "UserAgent": ""})

rows.sort(key=lambda r: (r["TimeStamp"], r["ActivityIdType"]))
with open("testdata/sample/OutlookActivities.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=["TimeStamp", "AppIdType", "ActivityIdType", "ActivityItemId", "ActivityCreationTime", "ClientSessionId", "CustomProperties"])
    w.writeheader()
    w.writerows(rows)
print(len(rows), "activities")
