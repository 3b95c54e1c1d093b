#!/usr/bin/python3
"""fake_route53.py: a fake Amazon Route 53 API endpoint for roleboot's tests.

Usage:
  fake_route53.py --data FILE.json --log FILE --portfile FILE [--port 0]
                  [--page-size 100] [--throttle-every 0]
                  [--access-key AKIDEXAMPLE] [--secret-key SECRET]
                  [--session-token TOKEN] [--max-skew 900] [--raw-query]
                  [--parent PID] [--lifetime 3600]

Run it with /usr/bin/python3: it needs botocore (Debian's python3-botocore),
which checks the signature of every request independently of the client.

It listens on 127.0.0.1 only (HTTP/1.1, plain http; port 0 picks a free
port, written to --portfile once the socket listens) and answers two
operations of the Route 53 API version 2013-04-01 from the zones in --data,
which is read again whenever it changed (tests edit it between syncs):

  GET /2013-04-01/hostedzonesbyname[?dnsname=N&hostedzoneid=Z&maxitems=M]
      ListHostedZonesByNameResponse; zones sorted by name with the labels
      reversed ("com.example.corp."), escaped form, then by ID.
  GET /2013-04-01/hostedzone/ZONEID/rrset[?maxitems=M&name=N&type=T&identifier=I]
      ListResourceRecordSetsResponse; record sets sorted by name (labels
      reversed), then type, then SetIdentifier; a page starts at the first
      record set >= (name, type, identifier).

A page holds min(maxitems, --page-size) items (maxitems defaults to, and is
capped at, 100 for zones and 300 for record sets, as Route 53 does).

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
Route 53's escapes, e.g. "\\052.corp.example.com.").

Every request first has its AWS Signature Version 4 checked with botocore's
own SigV4Auth (credentials from --access-key/--secret-key/--session-token,
scope us-east-1/route53): the request is rebuilt as received, the canonical
request signed with the exact headers named in SignedHeaders and the
received X-Amz-Date, and the result compared with the received signature.
The query string is decoded and canonically re-encoded as AWS does, unless
--raw-query, which signs it exactly as received (stricter).  Failures answer
403 with an ErrorResponse:
  no Authorization header            MissingAuthenticationToken   sig=none
  malformed Authorization, no date   IncompleteSignature          sig=bad
  unknown access key, bad token      InvalidClientTokenId         sig=bad
  wrong scope, stale date, mismatch  SignatureDoesNotMatch        sig=bad
The SignatureDoesNotMatch message carries the canonical request and the
string to sign botocore expected (also written to stderr).

--throttle-every N (N > 0): of the requests that passed the signature check,
every Nth answers 400 Throttling "Rate exceeded", except every (2N)th, which
answers 503 ServiceUnavailable instead.

Each request appends one line to --log:
  <METHOD> <path?query> <status> sig=ok|bad|none

The server exits cleanly on SIGTERM/SIGINT, when the process --parent is
gone, or after --lifetime seconds.
"""

import argparse
import datetime
import email.utils
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
    def __init__(self, raw, where):
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
        self.id = zid
        self.name = name
        self.key = name_key(name)
        self.private = bool(raw.get("private", raw.get("PrivateZone", False)))
        self.comment = raw.get("comment", raw.get("Comment"))
        self.caller_reference = raw.get("caller_reference", raw.get("CallerReference")) or ("ref-" + zid)
        records = raw.get("records", raw.get("ResourceRecordSets", []))
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


class Data:
    """The zones of --data, read again whenever the file changed."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.stamp = None
        self.zones = None  # sorted list of Zone
        self.by_id = None

    def get(self):
        st = os.stat(self.path)
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        # a file changed within the last two seconds may change again without
        # its stamp moving (coarse timestamps): read it anew each time then
        recent = time.time() - st.st_mtime < 2.0
        with self.lock:
            if self.zones is not None and stamp == self.stamp and not recent:
                return self.zones, self.by_id
            with open(self.path, "r", encoding="utf-8") as fh:
                raw = json.load(fh)
            zl = raw.get("zones") if isinstance(raw, dict) else None
            if not isinstance(zl, list):
                raise ValueError("%s: no \"zones\" list" % self.path)
            zones = [Zone(z, "zone %d" % i) for i, z in enumerate(zl)]
            zones.sort(key=lambda z: (z.key, z.id))
            self.zones, self.by_id, self.stamp = zones, {z.id: z for z in zones}, stamp
            return self.zones, self.by_id


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

    # the request as botocore sees it: method, URL and headers as received
    url = "http://127.0.0.1:%d%s" % (handler.server.server_port, handler.path)
    aws_headers = {}
    req = AWSRequest(method=handler.command, url=url, data=body or b"")
    for name in signed + ["x-amz-content-sha256", "x-amz-security-token"]:
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

    def log_line(self, line):
        with self.log_lock:
            if self.logf.closed:  # shutting down
                return
            self.logf.write(line + "\n")
            self.logf.flush()

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
        request_id = str(uuid.uuid4())
        try:
            try:
                body = self._read_body()
                check_signature(self, body)
                sig = "ok"
                n = self.server.next_count()
                every = self.server.opts.throttle_every
                if every > 0 and n % (2 * every) == 0:
                    raise ApiError(503, "ServiceUnavailable", "Service Unavailable", "Receiver")
                if every > 0 and n % every == 0:
                    raise ApiError(400, "Throttling", "Rate exceeded")
                status, xml = self._dispatch()
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
            self.server.log_line("%s %s %d sig=%s" % (self.command, self.path, self.status, sig))

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

    def _dispatch(self):
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
        if m:
            self._only_get()
            return 200, self._rrsets(urllib.parse.unquote(m.group(1)), params)
        raise ApiError(404, "UnknownOperationException", "No such operation: %s %s" % (self.command, path))

    def _only_get(self):
        if self.command != "GET":
            raise ApiError(405, "MethodNotAllowed", "only GET is served here")

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
    ap.add_argument("--portfile", required=True, help="gets the port once listening")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--page-size", type=int, default=100, help="most items on one page")
    ap.add_argument("--throttle-every", type=int, default=0,
                    help="every Nth signed request gets 400 Throttling (every 2Nth 503)")
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
    try:
        Data(opts.data).get()
    except (OSError, ValueError) as e:
        ap.error("--data: %s" % e)

    return testserver.run("fake_route53", Route53Server, opts)


if __name__ == "__main__":
    sys.exit(main())
