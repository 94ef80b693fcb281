#!/usr/bin/env python3
"""Checks tshark's decoding of the dissector samples against their expectations (scripts/test-dissector runs it).

    dissector_check.py --expectations F --port P [--heur-port H] --pdml F --fields F

The samples and what tshark must show for each come from the Swift codec (`wire-samples expectations`, a JSON
list); this file only compares them with tshark's PDML and -T fields output. Prints one line per failure and
'checks: N passed, M failed'.
"""
import argparse
import json
import sys
import xml.etree.ElementTree as ET

# Every message type must decode cleanly at least once.
TYPES = ["HELLO", "COOKIE", "WELCOME", "HEARTBEAT", "HEARTBEAT_ACK", "SUBSCRIBE", "UNSUBSCRIBE", "ACK", "ERROR", "DATA", "NACK",
         "STREAM_STATUS", "LIST_REQUEST", "LIST_REPLY", "BYE", "PEER_HELLO", "PEER_ANNOUNCE", "PEER_INTEREST", "PEER_BLOCKS"]


def _walk(el, out):
    for ch in el:
        if ch.tag == "field":
            out.append(ch)
            _walk(ch, out)
        elif ch.tag == "proto":
            _walk(ch, out)


def check(smps, dst, pdml_path, fields_path):
    passed, failed = 0, 0
    fails = []

    def ok(cond, what):
        nonlocal passed, failed
        if cond:
            passed += 1
        else:
            failed += 1
            fails.append(what)

    packets = ET.parse(pdml_path).getroot().findall("packet")
    info_col = [line.rstrip("\n").split("\t") for line in open(fields_path, encoding="utf-8")]
    ok(len(packets) == len(smps), "capture holds %d packets, %d samples were sent" % (len(packets), len(smps)))
    ok(len(info_col) == len(smps), "fields output has %d lines, expected %d" % (len(info_col), len(smps)))
    seen_types = set()
    for i, smp in enumerate(smps):
        if i >= len(packets):
            break
        name = "#%d %s" % (i + 1, smp["name"])
        pk = packets[i]
        protos = [p.get("name") for p in pk.findall("proto")]
        fl = []
        _walk(pk, fl)
        by = {}
        for x in fl:
            by.setdefault(x.get("name"), []).append(x)
        udp_dport = [x.get("show") for x in by.get("udp.dstport", [])]
        ok(udp_dport == [str(dst[smp["where"]])], "%s: packet goes to port %s, expected %d (capture out of order?)" % (name, udp_dport, dst[smp["where"]]))
        if not smp["ours"]:
            ok("vbwire" not in protos, "%s: decoded as vbwire, but must be left alone (not ours)" % name)
            continue
        ok("vbwire" in protos, "%s: not decoded as vbwire (protocols: %s)" % (name, protos))
        if "vbwire" not in protos:
            continue
        lua_err = [x.get("showname") for x in fl if "Lua Error" in (x.get("showname") or "") or x.get("name") == "_ws.lua.error"]
        ok(not lua_err, "%s: Lua error: %s" % (name, lua_err))
        line = info_col[i] if i < len(info_col) else []
        info = line[2] if len(line) > 2 else ""
        proto_col = line[1] if len(line) > 1 else ""
        ok(proto_col == "VBWIRE", "%s: protocol column %r, expected VBWIRE" % (name, proto_col))
        if smp.get("type"):
            shown = [x.get("showname") or "" for x in by.get("vbwire.type", [])]
            ok(len(shown) == 1 and smp["type"] in shown[0], "%s: type shown as %s, expected %s" % (name, shown, smp["type"]))
            if not smp["experts"]:
                seen_types.add(smp["type"])
        if smp.get("info"):
            ok(info == smp["info"], "%s: Info column %r, expected %r" % (name, info, smp["info"]))
        for abbr, want in smp["fields"].items():
            got = [x.get("show") for x in by.get(abbr, [])]
            ok(got == want, "%s: %s = %s, expected %s" % (name, abbr, got, want))
        for abbr, text in smp["shownames"]:
            got = [x.get("showname") or "" for x in by.get(abbr, [])]
            ok(any(text in g for g in got), "%s: no %s shown as %r (got %s)" % (name, abbr, text, got))
        experts = sorted({x.get("name") for x in fl if (x.get("name") or "").startswith("vbwire.malformed.")})
        ok(experts == sorted(set(smp["experts"])), "%s: expert infos %s, expected %s" % (name, experts, sorted(set(smp["experts"]))))
        # Expert infos other than Malformed ones (a GSO batch's note), with their severity.
        notes = [(ch.get("name"), x) for x in by.get("_ws.expert", []) for ch in x
                 if ch.tag == "field" and (ch.get("name") or "").startswith("vbwire.") and not ch.get("name").startswith("vbwire.malformed.")]
        ok(sorted(n for n, _ in notes) == sorted(smp["notes"]), "%s: note expert infos %s, expected %s" % (name, [n for n, _ in notes], smp["notes"]))
        for n, x in notes:
            sev = [ch.get("showname") or "" for ch in x if ch.get("name") == "_ws.expert.severity"]
            ok(any("Note" in v for v in sev), "%s: expert info %s has severity %s, expected Note" % (name, n, sev))
        messages = [x.get("show") or "" for x in by.get("_ws.expert.message", [])]
        for text in smp["texts"]:
            ok(any(text in m for m in messages), "%s: no expert info saying %r (got %s)" % (name, text, messages))
        if smp["experts"]:
            groups = [x.get("show") for x in by.get("_ws.expert.group", [])]
            sev = [x.get("showname") or "" for x in by.get("_ws.expert.severity", [])]
            ok(groups and any("Malformed" in (x.get("showname") or "") for x in by.get("_ws.expert.group", [])),
               "%s: no expert info of group Malformed (groups %s)" % (name, groups))
            ok(any("Error" in x for x in sev), "%s: no expert info of severity Error (%s)" % (name, sev))
            ok(info.endswith("[Malformed]"), "%s: Info column %r does not end with [Malformed]" % (name, info))
        elif not smp["notes"]:
            ok(not by.get("_ws.expert"), "%s: unexpected expert info %s" % (name, [x.get("showname") for x in by.get("_ws.expert", [])]))
        else:
            sev = [x.get("showname") or "" for x in by.get("_ws.expert.severity", [])]
            ok(not any("Error" in x or "Warn" in x for x in sev), "%s: expert info of severity %s, expected only notes" % (name, sev))
            ok(not info.endswith("[Malformed]"), "%s: Info column %r ends with [Malformed]" % (name, info))
    missing = sorted(set(TYPES) - seen_types)
    ok(not missing, "message types never decoded cleanly: %s" % missing)
    for f in fails:
        print("FAIL " + f)
    print("checks: %d passed, %d failed" % (passed, failed))
    return failed == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--expectations", required=True, help="the output of wire-samples expectations")
    ap.add_argument("--port", type=int, default=5000)
    ap.add_argument("--heur-port", type=int)
    ap.add_argument("--pdml", required=True)
    ap.add_argument("--fields", required=True, help="tshark -T fields -e frame.number -e _ws.col.Protocol -e _ws.col.Info")
    args = ap.parse_args()
    smps = json.load(open(args.expectations, encoding="utf-8"))
    dst = {"main": args.port, "heur": args.heur_port or args.port + 1}
    sys.exit(0 if check(smps, dst, args.pdml, args.fields) else 1)


if __name__ == "__main__":
    main()
