#!/usr/bin/python3
"""fake_route53.py: a fake Amazon Route 53 API endpoint for roleboot's tests.

Usage:
  fake_route53.py --data FILE.json --log FILE --portfile FILE [--port 0]
                  [--page-size 100] [--throttle-every 0]
                  [--fail-changes 0] [--change-error CODE[:STATUS]] [--bodies DIR]
                  [--access-key AKIDEXAMPLE] [--secret-key SECRET]
                  [--session-token TOKEN] [--max-skew 900] [--raw-query]
                  [--parent PID] [--lifetime 3600]

Run it with /usr/bin/python3: it needs botocore (Debian's python3-botocore),
which checks the signature of every request independently of the client.

It listens on 127.0.0.1 only (HTTP/1.1, plain http; port 0 picks a free
port, written to --portfile once the socket listens) and answers these
operations of the Route 53 API version 2013-04-01 from the zones in --data,
which is read again whenever it changed (tests edit it between syncs):

  GET /2013-04-01/hostedzonesbyname[?dnsname=N&hostedzoneid=Z&maxitems=M]
      ListHostedZonesByNameResponse; zones sorted by name with the labels
      reversed ("com.example.corp."), escaped form, then by ID.
  GET /2013-04-01/hostedzone/ZONEID/rrset[?maxitems=M&name=N&type=T&identifier=I]
      ListResourceRecordSetsResponse; record sets sorted by name (labels
      reversed), then type, then SetIdentifier; a page starts at the first
      record set >= (name, type, identifier).
  POST /2013-04-01/hostedzone/ZONEID/rrset[/]   (ChangeResourceRecordSets)
      body: a ChangeResourceRecordSetsRequest (namespace
      https://route53.amazonaws.com/doc/2013-04-01/) holding ChangeBatch,
      [Comment], Changes, Change+ of Action (CREATE, DELETE, UPSERT) and
      ResourceRecordSet (Name, Type, SetIdentifier, Weight, Region,
      GeoLocation, Failover, MultiValueAnswer, TTL, ResourceRecords,
      AliasTarget, HealthCheckId, in that order, as the schema has them).
      200 ChangeResourceRecordSetsResponse/ChangeInfo: Id /change/C...,
      Status PENDING, SubmittedAt, Comment when one was sent.
  GET /2013-04-01/change/CHANGEID               (GetChange)
      GetChangeResponse/ChangeInfo, Status INSYNC, for a change this server
      made; otherwise 404 NoSuchChange.

A page holds min(maxitems, --page-size) items (maxitems defaults to, and is
capped at, 100 for zones and 300 for record sets, as Route 53 does).

A change batch is all or nothing, as in Route 53.  The changes are checked
in order, each against the zone as the changes before it left it (so a
DELETE then a CREATE of one record set is a replacement), and every problem
is reported; if there is any, nothing is applied and the answer is 400
InvalidChangeBatch with all of them in one Message, "[first, second]" (the
standard ErrorResponse form Route 53 uses now; the old <InvalidChangeBatch>
<Messages> body is not produced).  The checks and their messages:
  CREATE of a set that exists   Tried to create resource record set
                                [name='x.', type='A'] but it already exists
  DELETE of a set not there     Tried to delete resource record set [...]
                                but it was not found
  DELETE that differs in TTL, a value (order does not matter), weight,
  alias or another field        ... but the values provided do not match
                                the current values
  a name outside the zone       RRSet with DNS name x. is not permitted in
                                zone z.
  a CNAME where other types are RRSet of type CNAME with DNS name x. is not
                                permitted as it conflicts with other records
                                with the same DNS name in zone z.
  another type where a CNAME is RRSet of type A with DNS name x. is not
                                permitted because a conflicting RRSet of type
                                 CNAME with the same DNS name already exists
                                in zone z.   (two blanks, as Route 53 says it)
  a CNAME at the apex           RRSet of type CNAME with DNS name z. is not
                                permitted at apex in zone z.
  the apex SOA or NS deleted    A HostedZone must contain exactly one SOA
  (and not created again)       record. / ... at least one NS record for the
                                zone itself.
  one set changed twice         The request contains an invalid set of
  (but DELETE then CREATE)      changes for a resource record set 'A x.'
  an A or AAAA value that is no address, several CNAME values, an alias to
  a name and type missing from this same zone: Invalid Resource Record: ...
  / Tried to create an alias that targets ... but that target was not found
A SetIdentifier shows in the set's name: [name='x.', type='A',
set-identifier='i'].  Other answers: a body that is not well-formed XML,
another namespace or root, unknown or misordered elements, a bad Action,
Type or number: 400 InvalidInput "Invalid XML ; ..."; neither AliasTarget
nor TTL with ResourceRecords (or both): 400 InvalidInput "Invalid request:
Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or
TrafficPolicyInstanceId] ..."; an unknown zone: 404 NoSuchHostedZone (the
XML is checked first).  Not modelled: the limits on changes and values per
batch, TrafficPolicyInstanceId, health checks' existence, most value syntax.

Names in a request are compared case-insensitively, with or without the
final dot, and stored as Route 53 stores them: lower case, the final dot,
bytes other than a-z 0-9 - _ as \\ooo ("*.x" becomes "\\052.x.").  An applied
batch is written back to --data at once (a temporary file in the same
folder, fsync, rename over the file): other processes (the sync agent
under test) and later listings see it; a zone's existing record sets keep
their place in the file, the replaced ones in place, new ones at the end.
The server keeps the bytes it wrote, so its own write is not taken for an
edit, while a test's edit to the file is still picked up by the next
request and by the next batch (which applies to the edited data).  A test
should not edit the file while a batch is being applied.

The data file:
  {"zones": [{"id": "Z1ABC", "name": "corp.example.com.",
              "private": false, "comment": "optional",
              "records": [<ResourceRecordSet>, ...]}]}
where a ResourceRecordSet uses the API's field names: Name, Type, TTL,
ResourceRecords (a list of value strings, or of {"Value": ...}),
SetIdentifier, Weight, Region, Failover, GeoLocation {ContinentCode,
CountryCode, SubdivisionCode}, MultiValueAnswer, HealthCheckId,
AliasTarget {HostedZoneId, DNSName, EvaluateTargetHealth}.  Names are sent
back exactly as written in the data (write them with the final dot and
Route 53's escapes, e.g. "\\052.corp.example.com.").  The server rewrites
the file with indent 1 when it applies a batch.

Every request first has its AWS Signature Version 4 checked with botocore's
own SigV4Auth (credentials from --access-key/--secret-key/--session-token,
scope us-east-1/route53): the request is rebuilt as received, the canonical
request signed with the exact headers named in SignedHeaders and the
received X-Amz-Date, and the result compared with the received signature.
The query string is decoded and canonically re-encoded as AWS does, unless
--raw-query, which signs it exactly as received (stricter).  The payload
hash is the SHA-256 of the body received, so a POST body changed after
signing fails; an X-Amz-Content-SHA256 header (libcurl sends one only when
told to) must hold that same hash, or the request fails with
SignatureDoesNotMatch (UNSIGNED-PAYLOAD, which only S3 takes, included).
Failures answer 403 with an ErrorResponse:
  no Authorization header            MissingAuthenticationToken   sig=none
  malformed Authorization, no date   IncompleteSignature          sig=bad
  unknown access key, bad token      InvalidClientTokenId         sig=bad
  wrong scope, stale date, mismatch, SignatureDoesNotMatch        sig=bad
  X-Amz-Content-SHA256 not the body's
The SignatureDoesNotMatch message carries the canonical request and the
string to sign botocore expected (also written to stderr).

Fault injection, applied in this order to requests that passed the
signature check:
  --throttle-every N (N > 0): of all such requests (GET and POST), every
      Nth answers 400 Throttling "Rate exceeded", except every (2N)th,
      which answers 503 ServiceUnavailable instead.
  --fail-changes N: the next N ChangeResourceRecordSets answer 400
      Throttling (before the body is looked at), then they are served: for
      retry tests.  Listings are not affected.
  --change-error CODE[:STATUS]: every ChangeResourceRecordSets answers that
      error, nothing applied.  Known codes and their status: AccessDenied
      403, InvalidChangeBatch 400, InvalidInput 400, NoSuchHostedZone 404,
      PriorRequestNotComplete 400, Throttling 400, ServiceUnavailable 503
      (Receiver), InternalFailure 500 (Receiver), InvalidClientTokenId 403,
      SignatureDoesNotMatch 403; any other code needs its STATUS.

Each request appends one line to --log:
  <METHOD> <path?query> <status> sig=ok|bad|none
(and, with --times FILE, the same line to FILE after the time its answer was
sent, "<epoch seconds, 6 decimals> <line>", for tests of waits that must not
depend on when a reader sees the log)
and a ChangeResourceRecordSets line goes on with a tab and the batch as the
client sent it (names not normalised), whatever the answer:
  POST /2013-04-01/hostedzone/Z1ABC/rrset/ 200 sig=ok<TAB>changes=UPSERT:www.corp.example.com.:A,DELETE:old.corp.example.com.:TXT
one ACTION:NAME:TYPE[:SETIDENTIFIER] per change, in order (blanks, commas,
colons and % written %XX); changes=? when the body is not XML.  With
--bodies DIR every POST body is written as received to DIR/0001.xml,
DIR/0002.xml, ... in the order the POSTs arrive (refused ones included).

The server exits cleanly on SIGTERM/SIGINT, when the process --parent is
gone, or after --lifetime seconds.
"""

import argparse
import datetime
import email.utils
import hashlib
import hmac
import http.server
import json
import os
import re
import socket
import socketserver
import sys
import threading
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

import testserver
from xml.sax.saxutils import escape

try:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest, HTTPHeaders
    from botocore.credentials import Credentials
except ImportError as e:  # pragma: no cover - depends on the machine
    sys.stderr.write("fake_route53: botocore is missing (apt-get install python3-botocore;"
                     " run with /usr/bin/python3): %s\n" % e)
    sys.exit(2)

API = "2013-04-01"
XMLNS = "https://route53.amazonaws.com/doc/2013-04-01/"
REGION = "us-east-1"
SERVICE = "route53"
DEFAULT_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
ZONES_MAX = 100  # Route 53's cap and default for ListHostedZonesByName
RRSETS_MAX = 300  # and for ListResourceRecordSets
BODY_MAX = 1024 * 1024  # largest request body read
TIMESTAMP_RE = re.compile(r"^\d{8}T\d{6}Z$")
AUTH_RE = re.compile(r"^AWS4-HMAC-SHA256\s+(.*)$", re.S)
OCTAL_RE = re.compile(r"[0-7]{3}")
ZONE_PATH_RE = re.compile(r"^/%s/hostedzone/([^/]+)/rrset/?$" % API)

# errors that only mean the client went away
GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError, socket.timeout)


class ApiError(Exception):
    """An answer with an ErrorResponse body."""

    def __init__(self, status, code, message, kind="Sender"):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.kind = kind


class AuthError(ApiError):
    """A failed signature check (always 403)."""

    def __init__(self, code, message, sig="bad"):
        super().__init__(403, code, message)
        self.sig = sig


# ---- DNS names as Route 53 sorts them --------------------------------------

def _labels(name):
    """The labels of NAME as bytes, Route 53's escapes (\\ooo octal, \\X) decoded."""
    labels, cur, i, n = [], bytearray(), 0, len(name)
    while i < n:
        c = name[i]
        if c == "\\" and OCTAL_RE.match(name, i + 1):
            cur.append(int(name[i + 1:i + 4], 8) & 0xFF)
            i += 4
        elif c == "\\" and i + 1 < n:
            cur += name[i + 1].encode("utf-8")
            i += 2
        elif c == ".":
            labels.append(bytes(cur))
            cur = bytearray()
            i += 1
        else:
            cur += c.encode("utf-8")
            i += 1
    labels.append(bytes(cur))
    return [l for l in labels if l]  # the final dot, the root: no label


_PLAIN = set(b"abcdefghijklmnopqrstuvwxyz0123456789-_")


def _escape_label(label):
    """A label in Route 53's stored form: lower case, other bytes as \\ooo."""
    out = []
    for b in label.lower():
        out.append(chr(b) if b in _PLAIN else "\\%03o" % b)
    return "".join(out)


def name_key(name):
    """Route 53's sort key of a DNS name: escaped labels reversed, final dot.

    "www.example.com." -> "com.example.www."; "*.x.com." -> "com.x.\\052.";
    the root -> "".
    """
    labels = _labels(name)
    if not labels:
        return ""
    return ".".join(_escape_label(l) for l in reversed(labels)) + "."


# ---- the data ----------------------------------------------------------------

class Zone:
    def __init__(self, raw, where, index=0):
        if not isinstance(raw, dict):
            raise ValueError("%s: not an object" % where)
        zid = raw.get("id") or raw.get("Id")
        name = raw.get("name") or raw.get("Name")
        if not isinstance(zid, str) or not zid:
            raise ValueError("%s: no id" % where)
        if not isinstance(name, str) or not name:
            raise ValueError("%s: no name" % where)
        if zid.startswith("/hostedzone/"):
            zid = zid[len("/hostedzone/"):]
        self.index = index  # its place in the data file's "zones"
        self.id = zid
        self.name = name
        self.key = name_key(name)
        self.private = bool(raw.get("private", raw.get("PrivateZone", False)))
        self.comment = raw.get("comment", raw.get("Comment"))
        self.caller_reference = raw.get("caller_reference", raw.get("CallerReference")) or ("ref-" + zid)
        self.records_field = "ResourceRecordSets" if "records" not in raw and \
            "ResourceRecordSets" in raw else "records"
        records = raw.get(self.records_field, [])
        if not isinstance(records, list):
            raise ValueError("%s: records is not a list" % where)
        keyed = []
        for i, r in enumerate(records):
            if not isinstance(r, dict) or not isinstance(r.get("Name"), str) \
                    or not isinstance(r.get("Type"), str):
                raise ValueError("%s: record %d needs Name and Type" % (where, i))
            keyed.append((record_key(r["Name"], r["Type"], r.get("SetIdentifier")), i, r))
        keyed.sort(key=lambda t: (t[0], t[1]))
        self.keys = [k for k, _, _ in keyed]
        self.records = [r for _, _, r in keyed]


def record_key(name, rtype, ident):
    return (name_key(name), (rtype or "").upper(), ident or "")


def file_stamp(st):
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class Data:
    """The zones of --data, read again whenever the file changed.

    Change batches are written back to the file (temporary file + rename);
    the stamp and the bytes written are kept, so that the server does not
    take its own write for an edit, and an edit by someone else (a test)
    is seen on the next request.
    """

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()  # the cached zones
        self.write_lock = threading.Lock()  # one change batch at a time
        self.stamp = None
        self.content = None  # the bytes the zones were parsed from
        self.raw = None  # the parsed JSON, never changed in place
        self.zones = None  # sorted list of Zone
        self.by_id = None
        self.writes = 0

    @staticmethod
    def parse(raw, where):
        zl = raw.get("zones") if isinstance(raw, dict) else None
        if not isinstance(zl, list):
            raise ValueError("%s: no \"zones\" list" % where)
        zones = [Zone(z, "zone %d" % i, i) for i, z in enumerate(zl)]
        zones.sort(key=lambda z: (z.key, z.id))
        return zones, {z.id: z for z in zones}

    def load(self):
        """(raw JSON, sorted zones, zones by id), read again when changed."""
        with open(self.path, "rb") as fh:
            stamp = file_stamp(os.fstat(fh.fileno()))
            # a file changed within the last two seconds may change again
            # without its stamp moving (coarse timestamps): compare its bytes
            recent = time.time() - stamp[2] / 1e9 < 2.0
            with self.lock:
                if self.zones is not None and stamp == self.stamp and not recent:
                    return self.raw, self.zones, self.by_id
                content = fh.read()
                if self.zones is None or content != self.content:
                    raw = json.loads(content.decode("utf-8"))
                    zones, by_id = self.parse(raw, self.path)
                    self.raw, self.zones, self.by_id, self.content = raw, zones, by_id, content
                self.stamp = stamp
                return self.raw, self.zones, self.by_id

    def get(self):
        _, zones, by_id = self.load()
        return zones, by_id

    def store(self, raw):
        """Writes RAW as the new data (temp file, fsync, rename), then serves it."""
        zones, by_id = self.parse(raw, "new data")
        content = (json.dumps(raw, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
        with self.lock:
            self.writes += 1
            tmp = "%s.tmp.%d.%d" % (self.path, os.getpid(), self.writes)
        try:
            with open(tmp, "wb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        try:
            dfd = os.open(os.path.dirname(os.path.abspath(self.path)), os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        except OSError:
            pass
        stamp = file_stamp(os.stat(self.path))
        with self.lock:
            self.raw, self.zones, self.by_id = raw, zones, by_id
            self.content, self.stamp = content, stamp


# ---- XML ---------------------------------------------------------------------

def x(s):
    return escape(str(s))


def xbool(v):
    return "true" if v else "false"


def rrset_xml(r, out):
    out.append("<ResourceRecordSet>")
    out.append("<Name>%s</Name><Type>%s</Type>" % (x(r["Name"]), x(r["Type"])))
    if r.get("SetIdentifier") is not None:
        out.append("<SetIdentifier>%s</SetIdentifier>" % x(r["SetIdentifier"]))
    if r.get("Weight") is not None:
        out.append("<Weight>%d</Weight>" % int(r["Weight"]))
    if r.get("Region") is not None:
        out.append("<Region>%s</Region>" % x(r["Region"]))
    geo = r.get("GeoLocation")
    if geo:
        out.append("<GeoLocation>")
        for k in ("ContinentCode", "CountryCode", "SubdivisionCode"):
            if geo.get(k) is not None:
                out.append("<%s>%s</%s>" % (k, x(geo[k]), k))
        out.append("</GeoLocation>")
    if r.get("Failover") is not None:
        out.append("<Failover>%s</Failover>" % x(r["Failover"]))
    if r.get("MultiValueAnswer") is not None:
        out.append("<MultiValueAnswer>%s</MultiValueAnswer>" % xbool(r["MultiValueAnswer"]))
    if r.get("TTL") is not None:
        out.append("<TTL>%d</TTL>" % int(r["TTL"]))
    rrs = r.get("ResourceRecords")
    if rrs:
        out.append("<ResourceRecords>")
        for v in rrs:
            if isinstance(v, dict):
                v = v.get("Value", "")
            out.append("<ResourceRecord><Value>%s</Value></ResourceRecord>" % x(v))
        out.append("</ResourceRecords>")
    at = r.get("AliasTarget")
    if at:
        out.append("<AliasTarget><HostedZoneId>%s</HostedZoneId><DNSName>%s</DNSName>"
                   "<EvaluateTargetHealth>%s</EvaluateTargetHealth></AliasTarget>" % (
                       x(at.get("HostedZoneId", "")), x(at.get("DNSName", "")),
                       xbool(at.get("EvaluateTargetHealth", False))))
    if r.get("HealthCheckId") is not None:
        out.append("<HealthCheckId>%s</HealthCheckId>" % x(r["HealthCheckId"]))
    out.append("</ResourceRecordSet>")


def zone_xml(z, out):
    out.append("<HostedZone><Id>/hostedzone/%s</Id><Name>%s</Name>"
               "<CallerReference>%s</CallerReference><Config>" % (
                   x(z.id), x(z.name), x(z.caller_reference)))
    if z.comment is not None:
        out.append("<Comment>%s</Comment>" % x(z.comment))
    out.append("<PrivateZone>%s</PrivateZone></Config>"
               "<ResourceRecordSetCount>%d</ResourceRecordSetCount></HostedZone>" % (
                   xbool(z.private), len(z.records)))


def error_xml(code, message, kind, request_id):
    return ('<?xml version="1.0"?>\n<ErrorResponse xmlns="%s"><Error><Type>%s</Type>'
            "<Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId>"
            "</ErrorResponse>\n" % (XMLNS, x(kind), x(code), x(message), x(request_id)))


# ---- the signature check -------------------------------------------------------

class ReceivedSigV4(SigV4Auth):
    """botocore's SigV4Auth limited to the headers the client said it signed.

    The timestamp is not taken from the clock: the caller puts the received
    one into request.context["timestamp"] and calls canonical_request,
    string_to_sign and signature directly (add_auth is never called).
    """

    def __init__(self, credentials, signed_names):
        super().__init__(credentials, SERVICE, REGION)
        self._signed_names = signed_names

    def headers_to_sign(self, request):
        header_map = HTTPHeaders()
        for name in self._signed_names:
            for value in request.headers.get_all(name) or []:
                header_map[name] = value
        return header_map

    def payload(self, request):
        # the hash of the body as received, whatever the URL scheme (botocore
        # would put UNSIGNED-PAYLOAD here for https with signing turned off)
        return hashlib.sha256(request.body or b"").hexdigest()


def parse_authorization(value):
    """(credential, signed header names, signature) of an Authorization value."""
    m = AUTH_RE.match(value.strip())
    if not m:
        raise AuthError("IncompleteSignature",
                        "Authorization header requires the AWS4-HMAC-SHA256 algorithm. "
                        "Authorization=%s" % value)
    fields = {}
    for part in m.group(1).split(","):
        part = part.strip()
        if not part:
            continue
        k, eq, v = part.partition("=")
        if not eq or k.strip() in fields:
            raise AuthError("IncompleteSignature", "Malformed Authorization header: %r" % part)
        fields[k.strip()] = v.strip()
    missing = [k for k in ("Credential", "SignedHeaders", "Signature") if not fields.get(k)]
    if missing or set(fields) - {"Credential", "SignedHeaders", "Signature"}:
        raise AuthError("IncompleteSignature",
                        "Authorization header requires 'Credential', 'SignedHeaders' and "
                        "'Signature' parameters (missing: %s). Authorization=%s" % (
                            ", ".join(missing) or "-", value))
    signed = fields["SignedHeaders"].split(";")
    if any(not h or h != h.strip() for h in signed):
        raise AuthError("IncompleteSignature", "Malformed SignedHeaders: %r" % fields["SignedHeaders"])
    return fields["Credential"], signed, fields["Signature"]


def received_timestamp(headers, signed):
    """The SigV4 timestamp (YYYYMMDDTHHMMSSZ) of the request and its header."""
    amz = headers.get_all("X-Amz-Date") or []
    if amz:
        if len(amz) != 1 or not TIMESTAMP_RE.match(amz[0].strip()):
            raise AuthError("IncompleteSignature", "Invalid X-Amz-Date: %r" % amz)
        return amz[0].strip(), "x-amz-date"
    date = headers.get("Date")
    if date:
        try:
            t = email.utils.parsedate_to_datetime(date)
        except (TypeError, ValueError):
            t = None
        if t is None or t.tzinfo is None:
            raise AuthError("IncompleteSignature", "Invalid Date: %r" % date)
        return t.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ"), "date"
    raise AuthError("IncompleteSignature",
                    "Authorization header requires existence of either a 'X-Amz-Date' "
                    "or a 'Date' header.")


def check_signature(handler, body):
    """Raises AuthError unless the request is signed for us; None when it is."""
    opts = handler.server.opts
    headers = handler.headers
    auths = headers.get_all("Authorization") or []
    if not auths:
        raise AuthError("MissingAuthenticationToken", "Missing Authentication Token", sig="none")
    if len(auths) > 1:
        raise AuthError("IncompleteSignature", "More than one Authorization header")
    credential, signed, got_sig = parse_authorization(auths[0])

    parts = credential.split("/")
    if len(parts) != 5:
        raise AuthError("IncompleteSignature",
                        "Credential must have exactly 5 slash-delimited elements, e.g. "
                        "keyid/date/region/service/term, got '%s'" % credential)
    akid, day, region, service, term = parts
    if akid != opts.access_key:
        raise AuthError("InvalidClientTokenId",
                        "The security token included in the request is invalid.")
    stamp, date_header = received_timestamp(headers, signed)
    if day != stamp[:8]:
        raise AuthError("SignatureDoesNotMatch",
                        "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
                        "version of date from HTTP: '%s' != '%s', from '%s'." % (day, stamp[:8], date_header))
    if region != REGION:
        raise AuthError("SignatureDoesNotMatch",
                        "Credential should be scoped to a valid region, not '%s'." % region)
    if service != SERVICE:
        raise AuthError("SignatureDoesNotMatch",
                        "Credential should be scoped to correct service: '%s'." % SERVICE)
    if term != "aws4_request":
        raise AuthError("SignatureDoesNotMatch",
                        "Credential should be scoped with a valid terminator: 'aws4_request', "
                        "not '%s'." % term)
    if "host" not in signed:
        raise AuthError("SignatureDoesNotMatch",
                        "'Host' must be a 'SignedHeader' in the AWS Authorization.")
    if date_header not in signed:
        raise AuthError("SignatureDoesNotMatch",
                        "'%s' must be a 'SignedHeader' in the AWS Authorization." % date_header)
    if opts.max_skew > 0:
        when = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        now = time.time()
        if abs(now - when) > opts.max_skew:
            raise AuthError("SignatureDoesNotMatch",
                            "Signature expired: %s is now earlier than %s (%s - %d min.)" % (
                                stamp, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now - opts.max_skew)),
                                time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now)), opts.max_skew // 60)
                            if when < now else
                            "Signature not yet current: %s is still later than %s (%s + %d min.)" % (
                                stamp, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now + opts.max_skew)),
                                time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now)), opts.max_skew // 60))
    tokens = headers.get_all("X-Amz-Security-Token") or []
    if opts.session_token is not None:
        if len(tokens) != 1 or tokens[0] != opts.session_token:
            raise AuthError("InvalidClientTokenId",
                            "The security token included in the request is invalid.")
    elif tokens:
        raise AuthError("InvalidClientTokenId",
                        "The security token included in the request is invalid.")

    # the payload hash: Route 53 hashes the body it received.  A client may
    # send (and sign) X-Amz-Content-SHA256; botocore then signs with that
    # value instead of hashing, so it must be the body's hash: anything else
    # (another hash, UNSIGNED-PAYLOAD, which only S3 takes) cannot match
    content_sha = headers.get_all("X-Amz-Content-SHA256") or []
    body_sha = hashlib.sha256(body or b"").hexdigest()
    if len(content_sha) > 1 or (content_sha and content_sha[0].strip().lower() != body_sha):
        raise AuthError("SignatureDoesNotMatch",
                        "The provided 'x-amz-content-sha256' header does not match what was "
                        "computed: %s, body hash %s" % (", ".join(content_sha), body_sha))

    # the request as botocore sees it: method, URL and headers as received
    url = "http://127.0.0.1:%d%s" % (handler.server.server_port, handler.path)
    aws_headers = {}
    req = AWSRequest(method=handler.command, url=url, data=body or b"")
    for name in signed + ["x-amz-security-token"]:
        if name in aws_headers:
            continue
        aws_headers[name] = True
        for value in headers.get_all(name) or []:
            req.headers[name] = value
    if not opts.raw_query:
        # AWS decodes the query and signs it canonically encoded; botocore does
        # the encoding when the parameters are handed over one by one
        query = urllib.parse.urlsplit(handler.path).query
        if query:
            req.params = [(urllib.parse.unquote(k), urllib.parse.unquote(v))
                          for k, _, v in (p.partition("=") for p in query.split("&"))]
    req.context["timestamp"] = stamp

    auth = ReceivedSigV4(Credentials(opts.access_key, opts.secret_key, opts.session_token), signed)
    canonical = auth.canonical_request(req)
    to_sign = auth.string_to_sign(req, canonical)
    want = auth.signature(to_sign, req)
    if not hmac.compare_digest(want.encode(), got_sig.strip().lower().encode()):
        sys.stderr.write("fake_route53: signature mismatch on %s %s\n--- canonical request\n%s\n"
                         "--- string to sign\n%s\n---\n" % (handler.command, handler.path, canonical, to_sign))
        sys.stderr.flush()
        raise AuthError("SignatureDoesNotMatch",
                        "The request signature we calculated does not match the signature you "
                        "provided. Check your AWS Secret Access Key and signing method. Consult "
                        "the service documentation for details.\n\nThe Canonical String for this "
                        "request should have been\n'%s'\n\nThe String-to-Sign should have been\n'%s'\n"
                        % (canonical, to_sign))


# ---- ChangeResourceRecordSets -------------------------------------------------

RR_TYPES = ("SOA", "A", "TXT", "NS", "CNAME", "MX", "NAPTR", "PTR", "SRV", "SPF", "AAAA",
            "CAA", "DS", "TLSA", "SSHFP", "SVCB", "HTTPS")
ACTIONS = ("CREATE", "DELETE", "UPSERT")
# the children of a ResourceRecordSet in the order of Route 53's schema:
# (element, fewest, most); anything else, or out of order, is invalid XML
RRSET_SCHEMA = (("Name", 1, 1), ("Type", 1, 1), ("SetIdentifier", 0, 1), ("Weight", 0, 1),
                ("Region", 0, 1), ("GeoLocation", 0, 1), ("Failover", 0, 1),
                ("MultiValueAnswer", 0, 1), ("TTL", 0, 1), ("ResourceRecords", 0, 1),
                ("AliasTarget", 0, 1), ("HealthCheckId", 0, 1), ("TrafficPolicyInstanceId", 0, 1))
IPV4_RE = re.compile(r"^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
                     r"(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$")
CHANGE_PATH_RE = re.compile(r"^/%s/change/([^/]+)$" % API)
# --change-error CODE: (HTTP status, fault type, message) as Route 53 answers
CHANGE_ERRORS = {
    "AccessDenied": (403, "Sender", "User: arn:aws:iam::123456789012:user/roleboot is not "
                     "authorized to perform: route53:ChangeResourceRecordSets on resource: "
                     "arn:aws:route53:::hostedzone/%(zone)s because no identity-based policy "
                     "allows the route53:ChangeResourceRecordSets action"),
    "InvalidChangeBatch": (400, "Sender", "[Injected failure: the change batch was refused]"),
    "InvalidInput": (400, "Sender", "Invalid request"),
    "NoSuchHostedZone": (404, "Sender", "No hosted zone found with ID: %(zone)s"),
    "PriorRequestNotComplete": (400, "Sender", "The request was rejected because Route 53 was "
                                "still processing a prior request."),
    "Throttling": (400, "Sender", "Rate exceeded"),
    "ServiceUnavailable": (503, "Receiver", "Service Unavailable"),
    "InternalFailure": (500, "Receiver", "An internal error occurred."),
    "InvalidClientTokenId": (403, "Sender", "The security token included in the request is invalid."),
    "SignatureDoesNotMatch": (403, "Sender", "The request signature we calculated does not match "
                              "the signature you provided."),
}


def stored_name(name):
    """NAME as Route 53 stores it: lower case, \\ooo escapes, the final dot."""
    labels = _labels(name)
    return ".".join(_escape_label(l) for l in labels) + "." if labels else "."


def invalid_xml(message):
    return ApiError(400, "InvalidInput", "Invalid XML ; %s" % message)


def _local(elem):
    """The element's name in the 2013-04-01 namespace; InvalidInput otherwise."""
    tag = elem.tag if isinstance(elem.tag, str) else ""
    prefix = "{%s}" % XMLNS
    if not tag.startswith(prefix):
        raise invalid_xml("cvc-elt.1.a: Cannot find the declaration of element '%s'." % tag)
    return tag[len(prefix):]


def _children(elem, schema):
    """ELEM's children checked against SCHEMA ((name, fewest, most), ...): {name: [elems]}."""
    kids = list(elem)
    if (elem.text or "").strip() or any((k.tail or "").strip() for k in kids):
        raise invalid_xml("cvc-complex-type.2.3: Element '%s' cannot have character [children], "
                          "because the type's content type is element-only." % _local(elem))
    out, i = {}, 0
    for name, lo, hi in schema:
        got = []
        while i < len(kids) and _local(kids[i]) == name and len(got) < hi:
            got.append(kids[i])
            i += 1
        if len(got) < lo:
            if i < len(kids):
                raise invalid_xml("cvc-complex-type.2.4.a: Invalid content was found starting with "
                                  "element '%s'. One of '{\"%s\":%s}' is expected." % (
                                      _local(kids[i]), XMLNS, name))
            raise invalid_xml("cvc-complex-type.2.4.b: The content of element '%s' is not complete. "
                              "One of '{\"%s\":%s}' is expected." % (_local(elem), XMLNS, name))
        out[name] = got
    if i < len(kids):
        raise invalid_xml("cvc-complex-type.2.4.a: Invalid content was found starting with element "
                          "'%s'. No child element is expected at this point." % _local(kids[i]))
    return out


def _text(elem):
    if len(elem):
        raise invalid_xml("cvc-type.3.1.2: Element '%s' is a simple type, so it must have no "
                          "element information item [children]." % _local(elem))
    return elem.text or ""


def _int(elem, lo, hi):
    t = _text(elem).strip()
    if not re.fullmatch(r"[0-9]{1,10}", t) or not lo <= int(t) <= hi:
        raise invalid_xml("cvc-datatype-valid.1.2.1: '%s' is not a valid value for 'integer' "
                          "in element '%s'." % (t, _local(elem)))
    return int(t)


def _bool(elem):
    t = _text(elem).strip()
    if t not in ("true", "false", "1", "0"):
        raise invalid_xml("cvc-datatype-valid.1.2.1: '%s' is not a valid value for 'boolean'." % t)
    return t in ("true", "1")


def _enum(elem, values):
    t = _text(elem).strip()
    if t not in values:
        raise invalid_xml("cvc-enumeration-valid: Value '%s' is not facet-valid with respect to "
                          "enumeration '[%s]'. It must be a value from the enumeration." % (
                              t, ", ".join(values)))
    return t


class Change:
    """One Change of a batch: the action, the record set as sent and as stored."""

    def __init__(self, action, sent_name, rtype, rrset):
        self.action = action
        self.sent_name = sent_name  # the Name exactly as the client sent it
        self.type = rtype
        self.rrset = rrset  # stored form: Name lower case with the final dot
        self.key = record_key(rrset["Name"], rtype, rrset.get("SetIdentifier"))

    def label(self):
        """[name='x.', type='A'(, set-identifier='i')] as Route 53 names a record set."""
        s = "[name='%s', type='%s'" % (self.rrset["Name"], self.type)
        if self.rrset.get("SetIdentifier") is not None:
            s += ", set-identifier='%s'" % self.rrset["SetIdentifier"]
        return s + "]"


def parse_rrset(elem, action):
    """(sent name, type, stored record set) of a ResourceRecordSet element."""
    kids = _children(elem, RRSET_SCHEMA)
    one = {k: v[0] for k, v in kids.items() if v}
    sent = _text(one["Name"])
    rtype = _enum(one["Type"], RR_TYPES)
    r = {"Name": stored_name(sent), "Type": rtype}
    if "SetIdentifier" in one:
        r["SetIdentifier"] = _text(one["SetIdentifier"])
    if "Weight" in one:
        r["Weight"] = _int(one["Weight"], 0, 255)
    if "Region" in one:
        r["Region"] = _text(one["Region"]).strip()
    if "GeoLocation" in one:
        g = _children(one["GeoLocation"], (("ContinentCode", 0, 1), ("CountryCode", 0, 1),
                                           ("SubdivisionCode", 0, 1)))
        r["GeoLocation"] = {k: _text(v[0]).strip() for k, v in g.items() if v}
    if "Failover" in one:
        r["Failover"] = _enum(one["Failover"], ("PRIMARY", "SECONDARY"))
    if "MultiValueAnswer" in one:
        r["MultiValueAnswer"] = _bool(one["MultiValueAnswer"])
    if "TTL" in one:
        r["TTL"] = _int(one["TTL"], 0, 2147483647)
    if "ResourceRecords" in one:
        rrs = _children(one["ResourceRecords"], (("ResourceRecord", 1, 1000000),))
        values = []
        for rr in rrs["ResourceRecord"]:
            v = _children(rr, (("Value", 1, 1),))["Value"][0]
            values.append(_text(v))
        r["ResourceRecords"] = values
    if "AliasTarget" in one:
        a = _children(one["AliasTarget"], (("HostedZoneId", 1, 1), ("DNSName", 1, 1),
                                           ("EvaluateTargetHealth", 1, 1)))
        r["AliasTarget"] = {"HostedZoneId": _text(a["HostedZoneId"][0]).strip(),
                            "DNSName": stored_name(_text(a["DNSName"][0]).strip()),
                            "EvaluateTargetHealth": _bool(a["EvaluateTargetHealth"][0])}
    if "HealthCheckId" in one:
        r["HealthCheckId"] = _text(one["HealthCheckId"]).strip()
    has_alias = "AliasTarget" in r
    has_plain = "TTL" in r or "ResourceRecords" in r
    if "TrafficPolicyInstanceId" in one:
        raise ApiError(400, "InvalidInput", "Invalid request: TrafficPolicyInstanceId is not "
                       "served by this fake")
    if has_alias == has_plain or (has_plain and ("TTL" not in r or "ResourceRecords" not in r)):
        raise ApiError(400, "InvalidInput", "Invalid request: Expected exactly one of [AliasTarget, "
                       "all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found %s "
                       "in Change with [Action=%s, Name=%s, Type=%s, SetIdentifier=%s]" % (
                           "more than one" if has_alias and has_plain else "none",
                           action, sent, rtype, r.get("SetIdentifier", "null")))
    return sent, rtype, r


def parse_change_batch(body):
    """(comment or None, [Change]) of a ChangeResourceRecordSetsRequest body."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as e:
        raise invalid_xml("%s" % e)
    if _local(root) != "ChangeResourceRecordSetsRequest":
        raise invalid_xml("cvc-elt.1.a: Cannot find the declaration of element '%s'." % _local(root))
    batch = _children(root, (("ChangeBatch", 1, 1),))["ChangeBatch"][0]
    kids = _children(batch, (("Comment", 0, 1), ("Changes", 1, 1)))
    comment = _text(kids["Comment"][0]) if kids["Comment"] else None
    changes = []
    for c in _children(kids["Changes"][0], (("Change", 1, 1000000),))["Change"]:
        ck = _children(c, (("Action", 1, 1), ("ResourceRecordSet", 1, 1)))
        action = _enum(ck["Action"][0], ACTIONS)
        sent, rtype, r = parse_rrset(ck["ResourceRecordSet"][0], action)
        changes.append(Change(action, sent, rtype, r))
    return comment, changes


def _sum_field(s):
    """S for the log summary: one field, no blanks, commas or colons."""
    return re.sub(r"[\s,:%]", lambda m: "%%%02X" % ord(m.group(0)), s) or "-"


def batch_summary(body):
    """changes=ACTION:NAME:TYPE[:SETID],... as sent (names as the client wrote them)."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return "changes=?"
    out = []
    for c in root.iter("{%s}Change" % XMLNS):
        rs = c.find("{%s}ResourceRecordSet" % XMLNS)
        parts = [c.findtext("{%s}Action" % XMLNS) or "?"]
        for f in ("Name", "Type", "SetIdentifier"):
            v = rs.findtext("{%s}%s" % (XMLNS, f)) if rs is not None else None
            if v is not None or f != "SetIdentifier":
                parts.append(v if v is not None else "?")
        out.append(":".join(_sum_field(p) for p in parts))
    return "changes=" + (",".join(out) if out else "-")


def canonical_rrset(r):
    """What must be equal for a DELETE to match: everything but the name's spelling."""
    values = []
    for v in r.get("ResourceRecords") or []:
        values.append(v.get("Value", "") if isinstance(v, dict) else v)
    at = r.get("AliasTarget")
    alias = None
    if at:
        alias = (str(at.get("HostedZoneId", "")), name_key(at.get("DNSName", "")),
                 bool(at.get("EvaluateTargetHealth", False)))
    ttl = r.get("TTL")
    weight = r.get("Weight")
    return json.dumps([None if ttl is None else int(ttl), sorted(values),
                       None if weight is None else int(weight), r.get("Region"), r.get("Failover"),
                       r.get("GeoLocation") or None,
                       None if r.get("MultiValueAnswer") is None else bool(r["MultiValueAnswer"]),
                       r.get("HealthCheckId"), alias], sort_keys=True)


def validate_batch(zone, changes):
    """The zone's record sets after CHANGES, or ApiError InvalidChangeBatch.

    Every change is checked in order against the zone as the changes before
    it left it; every problem is reported (Route 53 lists them all in one
    message), and nothing is applied unless there is none.
    """
    state = {}
    for k, r in zip(zone.keys, zone.records):
        state[k] = r
    errors = []
    actions = {}
    for c in changes:
        actions.setdefault(c.key, []).append(c.action)
    # a record set may be changed once per batch, or deleted and created again
    bad = [k for k, a in actions.items() if len(a) > 1 and a != ["DELETE", "CREATE"]]
    for c in changes:
        if c.key in bad:
            errors.append("The request contains an invalid set of changes for a resource "
                          "record set '%s %s'" % (c.type, c.rrset["Name"]))
            bad.remove(c.key)
    apex_before = {t for (n, t, _) in state if n == zone.key}
    for c in changes:
        if actions.get(c.key) and len(actions[c.key]) > 1 and actions[c.key] != ["DELETE", "CREATE"]:
            continue
        nk = c.key[0]
        if nk != zone.key and not nk.startswith(zone.key):
            errors.append("RRSet with DNS name %s is not permitted in zone %s" % (
                c.rrset["Name"], stored_name(zone.name)))
            continue
        cur = state.get(c.key)
        if c.action == "DELETE":
            if cur is None:
                errors.append("Tried to delete resource record set %s but it was not found" % c.label())
            elif canonical_rrset(cur) != canonical_rrset(c.rrset):
                errors.append("Tried to delete resource record set %s but the values provided do "
                              "not match the current values" % c.label())
            else:
                del state[c.key]
            continue
        if c.action == "CREATE" and cur is not None:
            errors.append("Tried to create resource record set %s but it already exists" % c.label())
            continue
        others = [t for (n, t, i), r in state.items() if n == nk and (n, t, i) != c.key]
        if c.type == "CNAME" and nk == zone.key:
            errors.append("RRSet of type CNAME with DNS name %s is not permitted at apex in zone %s" % (
                c.rrset["Name"], stored_name(zone.name)))
            continue
        if c.type == "CNAME" and any(t != "CNAME" for t in others):
            errors.append("RRSet of type CNAME with DNS name %s is not permitted as it conflicts "
                          "with other records with the same DNS name in zone %s" % (
                              c.rrset["Name"], stored_name(zone.name)))
            continue
        if c.type != "CNAME" and "CNAME" in others:
            errors.append("RRSet of type %s with DNS name %s is not permitted because a conflicting "
                          "RRSet of type  CNAME with the same DNS name already exists in zone %s" % (
                              c.type, c.rrset["Name"], stored_name(zone.name)))
            continue
        bad_value = False
        for v in c.rrset.get("ResourceRecords") or []:
            if c.type == "A" and not IPV4_RE.match(v):
                errors.append("Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address "
                              "(Value is not a valid IPv4 address) encountered with '%s''" % v)
                bad_value = True
            elif c.type == "AAAA" and not _is_ipv6(v):
                errors.append("Invalid Resource Record: 'FATAL problem: AAAARRDATAIllegalIPv6Address "
                              "(Value is not a valid IPv6 address) encountered with '%s''" % v)
                bad_value = True
            elif c.type == "CNAME" and len(c.rrset["ResourceRecords"]) > 1:
                errors.append("Invalid Resource Record: 'FATAL problem: RRDATAIllegalMultipleValues "
                              "(CNAME resource record set may have only one value) encountered with "
                              "'%s''" % v)
                bad_value = True
                break
        if bad_value:
            continue
        at = c.rrset.get("AliasTarget")
        if at and at["HostedZoneId"] == zone.id:
            tk = name_key(at["DNSName"])
            if not any(n == tk and t == c.type for (n, t, _) in state):
                errors.append("Tried to create an alias that targets %s, type %s in zone %s, but "
                              "that target was not found" % (at["DNSName"], c.type, zone.id))
                continue
        state[c.key] = c.rrset
    apex_after = {t for (n, t, _) in state if n == zone.key}
    if "SOA" in apex_before and "SOA" not in apex_after:
        errors.append("A HostedZone must contain exactly one SOA record.")
    if "NS" in apex_before and "NS" not in apex_after:
        errors.append("A HostedZone must contain at least one NS record for the zone itself.")
    if errors:
        raise ApiError(400, "InvalidChangeBatch", "[%s]" % ", ".join(errors))
    return state


def _is_ipv6(v):
    try:
        socket.inet_pton(socket.AF_INET6, v)
        return True
    except (OSError, ValueError):
        return False


def new_change_id():
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "C" + "".join(alphabet[b % len(alphabet)] for b in os.urandom(20))


def change_info_xml(change_id, status, submitted, comment):
    out = "<ChangeInfo><Id>/change/%s</Id><Status>%s</Status><SubmittedAt>%s</SubmittedAt>" % (
        x(change_id), status, x(submitted))
    if comment is not None:
        out += "<Comment>%s</Comment>" % x(comment)
    return out + "</ChangeInfo>"


# ---- the server ------------------------------------------------------------------

class Route53Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, port, opts):
        self.opts = opts
        self.data = Data(opts.data)
        self.count = 0
        self.count_lock = threading.Lock()
        self.log_lock = threading.Lock()
        self.logf = open(opts.log, "a", encoding="utf-8")
        self.timesf = open(opts.times, "a", encoding="utf-8") if opts.times else None
        self.changes = {}  # change id -> (SubmittedAt, Comment), for GetChange
        self.fail_changes = opts.fail_changes  # Throttling answers still to give
        self.bodies = 0  # request bodies written to --bodies
        super().__init__(("127.0.0.1", port), Handler)

    def server_bind(self):
        # no getfqdn() lookup: nothing here needs a host name
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host
        self.server_port = port

    def next_count(self):
        with self.count_lock:
            self.count += 1
            return self.count

    def take_change_failure(self):
        """True while --fail-changes has failures left (and uses one up)."""
        with self.count_lock:
            if self.fail_changes > 0:
                self.fail_changes -= 1
                return True
            return False

    def save_body(self, body):
        """Writes a POST body to --bodies DIR as NNNN.xml; the file name or None."""
        if not self.opts.bodies:
            return None
        with self.count_lock:
            self.bodies += 1
            n = self.bodies
        path = os.path.join(self.opts.bodies, "%04d.xml" % n)
        with open(path, "wb") as fh:
            fh.write(body)
        return path

    def log_line(self, line):
        with self.log_lock:
            if self.logf.closed:  # shutting down
                return
            self.logf.write(line + "\n")
            self.logf.flush()
            if self.timesf:
                self.timesf.write("%.6f %s\n" % (time.time(), line))
                self.timesf.flush()

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], GONE):
            return
        super().handle_error(request, client_address)


def page_size(params, cap, opts):
    """(items on this page, MaxItems to echo) from the maxitems parameter."""
    raw = params.get("maxitems")
    if raw is None:
        n = cap
        echo = str(cap)
    else:
        if not re.fullmatch(r"[0-9]{1,9}", raw) or int(raw) < 1:
            raise ApiError(400, "InvalidInput", "1 validation error detected: Value '%s' at "
                           "'maxItems' failed to satisfy constraint: Member must be a positive "
                           "integer" % raw)
        n = min(int(raw), cap)
        echo = raw
    return max(1, min(n, opts.page_size)), echo


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-route53/1"
    sys_version = ""
    timeout = 120  # an idle client frees its thread after this

    def log_message(self, format, *args):  # quiet: --log has the requests
        pass

    def setup(self):
        super().setup()
        # headers and body leave in two writes: without this, Nagle's
        # algorithm holds the body until the client's delayed ACK (~40 ms)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):
        self._serve()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_GET

    def _read_body(self):
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise ApiError(400, "InvalidInput", "Transfer-Encoding is not supported here")
        try:
            n = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            n = -1
        if n < 0 or n > BODY_MAX:
            self.close_connection = True
            raise ApiError(400, "InvalidInput", "bad Content-Length")
        return self.rfile.read(n) if n else b""

    def _serve(self):
        self.status = 0
        sig = "none"
        summary = ""
        request_id = str(uuid.uuid4())
        try:
            try:
                body = self._read_body()
                if self.command == "POST":
                    self.server.save_body(body)
                    if ZONE_PATH_RE.match(urllib.parse.urlsplit(self.path).path):
                        summary = "\t" + batch_summary(body)
                check_signature(self, body)
                sig = "ok"
                n = self.server.next_count()
                every = self.server.opts.throttle_every
                if every > 0 and n % (2 * every) == 0:
                    raise ApiError(503, "ServiceUnavailable", "Service Unavailable", "Receiver")
                if every > 0 and n % every == 0:
                    raise ApiError(400, "Throttling", "Rate exceeded")
                status, xml = self._dispatch(body)
            except AuthError as e:
                sig = e.sig
                status, xml = e.status, error_xml(e.code, e.message, e.kind, request_id)
            except ApiError as e:
                status, xml = e.status, error_xml(e.code, e.message, e.kind, request_id)
            except (OSError, ValueError) as e:  # the data file is unreadable or bad
                sys.stderr.write("fake_route53: %s\n" % e)
                sys.stderr.flush()
                status, xml = 500, error_xml("InternalFailure", "bad test data: %s" % e,
                                             "Receiver", request_id)
            self._send(status, xml.encode("utf-8"), request_id)
        except GONE:
            self.close_connection = True
        finally:
            self.server.log_line("%s %s %d sig=%s%s" % (self.command, self.path, self.status, sig,
                                                         summary))

    def _send(self, status, body, request_id):
        self.status = status
        self.send_response(status)
        self.send_header("x-amzn-RequestId", request_id)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    # ---- the operations ---------------------------------------------

    def _dispatch(self, body):
        split = urllib.parse.urlsplit(self.path)
        path = split.path
        params = {}
        for k, _, v in (p.partition("=") for p in split.query.split("&") if p):
            k, v = urllib.parse.unquote(k), urllib.parse.unquote(v)
            if k in params:
                raise ApiError(400, "InvalidInput", "parameter %s given twice" % k)
            params[k] = v
        if path == "/%s/hostedzonesbyname" % API:
            self._only_get()
            return 200, self._zones_by_name(params)
        m = ZONE_PATH_RE.match(path)
        if m and self.command == "POST":
            return 200, self._change_rrsets(urllib.parse.unquote(m.group(1)), body)
        if m:
            self._only_get()
            return 200, self._rrsets(urllib.parse.unquote(m.group(1)), params)
        m = CHANGE_PATH_RE.match(path)
        if m:
            self._only_get()
            return 200, self._get_change(urllib.parse.unquote(m.group(1)))
        raise ApiError(404, "UnknownOperationException", "No such operation: %s %s" % (self.command, path))

    def _only_get(self):
        if self.command != "GET":
            raise ApiError(405, "MethodNotAllowed", "only GET is served here")

    def _change_rrsets(self, zone_id, body):
        """ChangeResourceRecordSets: all changes applied and written, or none."""
        srv = self.server
        if srv.take_change_failure():
            raise ApiError(400, "Throttling", "Rate exceeded")
        code = srv.opts.change_error
        if code:
            status, kind, message = CHANGE_ERRORS.get(code, (400, "Sender", "Injected error"))
            if srv.opts.change_error_status:
                status = srv.opts.change_error_status
            raise ApiError(status, code, message % {"zone": zone_id}, kind)
        comment, changes = parse_change_batch(body)
        with srv.data.write_lock:
            raw, _, by_id = srv.data.load()
            zone = by_id.get(zone_id)
            if zone is None:
                raise ApiError(404, "NoSuchHostedZone", "No hosted zone found with ID: %s" % zone_id)
            state = validate_batch(zone, changes)
            # the new data: the zone's records in their order in the file, the
            # replaced ones in place, the created ones at the end
            zraw = dict(raw["zones"][zone.index])
            kept, seen = [], set()
            for r in zraw.get(zone.records_field, []):
                k = record_key(r["Name"], r["Type"], r.get("SetIdentifier"))
                if k in state and k not in seen:
                    kept.append(state[k])
                    seen.add(k)
            kept += [r for k, r in state.items() if k not in seen]
            zraw[zone.records_field] = kept
            new = dict(raw)
            new["zones"] = list(raw["zones"])
            new["zones"][zone.index] = zraw
            srv.data.store(new)
        change_id = new_change_id()
        now = time.time()
        submitted = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + ".%03dZ" % (now * 1000 % 1000)
        with srv.count_lock:
            srv.changes[change_id] = (submitted, comment)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<ChangeResourceRecordSetsResponse xmlns="%s">'
                "%s</ChangeResourceRecordSetsResponse>\n" % (
                    XMLNS, change_info_xml(change_id, "PENDING", submitted, comment)))

    def _get_change(self, change_id):
        """GetChange: a change this server made, INSYNC by now."""
        if change_id.startswith("/change/"):
            change_id = change_id[len("/change/"):]
        with self.server.count_lock:
            known = self.server.changes.get(change_id)
        if known is None:
            raise ApiError(404, "NoSuchChange", "A change with the specified change ID does not exist.")
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<GetChangeResponse xmlns="%s">'
                "%s</GetChangeResponse>\n" % (XMLNS, change_info_xml(change_id, "INSYNC", *known)))

    def _zones_by_name(self, params):
        zones, _ = self.server.data.get()
        limit, echo = page_size(params, ZONES_MAX, self.server.opts)
        dnsname = params.get("dnsname")
        zone_id = params.get("hostedzoneid")
        if zone_id is not None and dnsname is None:
            raise ApiError(400, "InvalidInput", "hostedzoneid requires dnsname")
        if zone_id is not None and zone_id.startswith("/hostedzone/"):
            zone_id = zone_id[len("/hostedzone/"):]
        start = (name_key(dnsname), zone_id or "") if dnsname is not None else ("", "")
        i = 0
        while i < len(zones) and (zones[i].key, zones[i].id) < start:
            i += 1
        page = zones[i:i + limit]
        truncated = i + limit < len(zones)
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n<ListHostedZonesByNameResponse xmlns="%s">'
               "<HostedZones>" % XMLNS]
        for z in page:
            zone_xml(z, out)
        out.append("</HostedZones>")
        if dnsname is not None:
            out.append("<DNSName>%s</DNSName>" % x(dnsname))
        if zone_id is not None:
            out.append("<HostedZoneId>%s</HostedZoneId>" % x(zone_id))
        out.append("<IsTruncated>%s</IsTruncated>" % xbool(truncated))
        if truncated:
            nz = zones[i + limit]
            out.append("<NextDNSName>%s</NextDNSName><NextHostedZoneId>%s</NextHostedZoneId>" % (
                x(nz.name), x(nz.id)))
        out.append("<MaxItems>%s</MaxItems></ListHostedZonesByNameResponse>\n" % x(echo))
        return "".join(out)

    def _rrsets(self, zone_id, params):
        _, by_id = self.server.data.get()
        zone = by_id.get(zone_id)
        if zone is None:
            raise ApiError(404, "NoSuchHostedZone", "No hosted zone found with ID: %s" % zone_id)
        limit, echo = page_size(params, RRSETS_MAX, self.server.opts)
        name, rtype, ident = params.get("name"), params.get("type"), params.get("identifier")
        if rtype is not None and name is None:
            raise ApiError(400, "InvalidInput", "The input is not valid: type requires name")
        if ident is not None and rtype is None:
            raise ApiError(400, "InvalidInput", "The input is not valid: identifier requires name and type")
        if name is None:
            i = 0
        else:
            i = _bisect(zone.keys, record_key(name, rtype, ident))
        page = zone.records[i:i + limit]
        truncated = i + limit < len(zone.records)
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n<ListResourceRecordSetsResponse xmlns="%s">'
               "<ResourceRecordSets>" % XMLNS]
        for r in page:
            rrset_xml(r, out)
        out.append("</ResourceRecordSets><IsTruncated>%s</IsTruncated>" % xbool(truncated))
        if truncated:
            nr = zone.records[i + limit]
            out.append("<NextRecordName>%s</NextRecordName><NextRecordType>%s</NextRecordType>" % (
                x(nr["Name"]), x(nr["Type"])))
            if nr.get("SetIdentifier") is not None:
                out.append("<NextRecordIdentifier>%s</NextRecordIdentifier>" % x(nr["SetIdentifier"]))
        out.append("<MaxItems>%s</MaxItems></ListResourceRecordSetsResponse>\n" % x(echo))
        return "".join(out)


def _bisect(keys, key):
    lo, hi = 0, len(keys)
    while lo < hi:
        mid = (lo + hi) // 2
        if keys[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo


# ---- process -----------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description="fake Route 53 API endpoint checking SigV4 (127.0.0.1 only)")
    ap.add_argument("--data", required=True, help="zones and records, JSON; read again when changed")
    ap.add_argument("--log", required=True, help="request log, one line per request")
    ap.add_argument("--times", help="the log's lines again, each after the time (epoch seconds)"
                    " its answer was sent")
    ap.add_argument("--portfile", required=True, help="gets the port once listening")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--page-size", type=int, default=100, help="most items on one page")
    ap.add_argument("--throttle-every", type=int, default=0,
                    help="every Nth signed request gets 400 Throttling (every 2Nth 503)")
    ap.add_argument("--fail-changes", type=int, default=0,
                    help="the next N ChangeResourceRecordSets answer 400 Throttling")
    ap.add_argument("--change-error", default=None, metavar="CODE[:STATUS]",
                    help="every ChangeResourceRecordSets answers this AWS error")
    ap.add_argument("--bodies", default=None, metavar="DIR",
                    help="write each POST body to DIR/NNNN.xml")
    ap.add_argument("--access-key", default="AKIDEXAMPLE")
    ap.add_argument("--secret-key", default=DEFAULT_SECRET)
    ap.add_argument("--session-token", default=None, help="required X-Amz-Security-Token")
    ap.add_argument("--max-skew", type=int, default=900,
                    help="seconds X-Amz-Date may be off the clock (0: no check)")
    ap.add_argument("--raw-query", action="store_true",
                    help="sign the query string exactly as received, not re-encoded")
    ap.add_argument("--parent", type=int, default=0, help="exit when this process is gone")
    ap.add_argument("--lifetime", type=float, default=3600.0, help="exit after this many seconds")
    opts = ap.parse_args()
    if opts.page_size < 1:
        ap.error("--page-size must be at least 1")
    if opts.throttle_every < 0:
        ap.error("--throttle-every must be 0 or more")
    if opts.fail_changes < 0:
        ap.error("--fail-changes must be 0 or more")
    opts.change_error_status = 0
    if opts.change_error:
        code, _, status = opts.change_error.partition(":")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9.]*", code) or \
                (status and not re.fullmatch(r"[1-5][0-9][0-9]", status)):
            ap.error("--change-error wants CODE or CODE:STATUS, e.g. AccessDenied or Foo:409")
        if not status and code not in CHANGE_ERRORS:
            ap.error("--change-error %s: give the status too (%s:400); known codes: %s" % (
                code, code, ", ".join(sorted(CHANGE_ERRORS))))
        opts.change_error, opts.change_error_status = code, int(status or 0)
    if opts.bodies and not os.path.isdir(opts.bodies):
        ap.error("--bodies %s: not a folder" % opts.bodies)
    try:
        Data(opts.data).get()
    except (OSError, ValueError) as e:
        ap.error("--data: %s" % e)

    return testserver.run("fake_route53", Route53Server, opts)


if __name__ == "__main__":
    sys.exit(main())
