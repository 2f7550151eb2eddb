#!/usr/bin/env python3
"""Independent verifier of a ReleaseGateway audit export, written from CANONICAL-ENCODING.md alone.
Standard library only. Checks the hash chain and the manifest; checkpoint signatures (ECDSA P-256)
need a crypto library and are left to `rgw audit verify-export`.
usage: verify_chain.py EXPORT_DIR     exit 0 intact, 1 tampered, 2 not an export"""
import hashlib, json, os, struct, sys

def text(v):
    if v is None:
        return b"\xff\xff\xff\xff"
    b = v.encode("utf-8")
    return struct.pack(">I", len(b)) + b

def int64(v):
    return struct.pack(">q", v)

def event_hash(e):
    data = (bytes.fromhex(e["previousHash"]) + int64(e["position"]) + text(e["streamId"]) + int64(e["streamVersion"])
            + text(e["eventType"]) + int64(e["schemaVersion"]) + text(e["body"]) + text(e["actorId"])
            + text(e["actorRole"]) + text(e["correlationId"]) + text(e["causationId"]) + text(e["timestamp"]))
    return hashlib.sha256(data).hexdigest()

def main(folder):
    try:
        manifest = json.load(open(os.path.join(folder, "manifest.json")))
        lines = open(os.path.join(folder, manifest["eventsFile"]), "rb").read()
        events = [json.loads(l) for l in lines.decode("utf-8").splitlines() if l]
    except (OSError, ValueError, KeyError) as x:
        print(f"error: not a readable export: {x}", file=sys.stderr)
        return 2
    expected, prev = 1, "0" * 64
    hashes = {e["hash"]: e["position"] for e in events}
    for e in events:
        p = e["position"]
        if p > expected:
            return fail(expected, f"position gap: expected {expected}, found {p}")
        if p < expected:
            return fail(p, "reordered")
        if e["previousHash"] != prev:
            later = hashes.get(e["previousHash"])
            return fail(p, "reordered" if later and later > p else "link broken")
        if event_hash(e) != e["hash"]:
            return fail(p, "body altered")
        prev, expected = e["hash"], expected + 1
    if hashlib.sha256(lines).hexdigest() != manifest["eventsSha256"] or manifest["headHash"] != prev or manifest["eventCount"] != len(events):
        return fail(expected - 1, "manifest does not describe the events file")
    print(f"OK: {len(events)} events, head position {expected - 1}, head hash {prev}")
    return 0

def fail(position, reason):
    print(f"TAMPERED at position {position}: {reason}", file=sys.stderr)
    return 1

if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0)
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
