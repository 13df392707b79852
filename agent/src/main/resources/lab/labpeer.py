#!/usr/bin/python3
"""A lab peer living in one network namespace (a VM or the fabric): reads JSON commands on stdin, answers one JSON
line each. It keeps scapy imported, so each probe costs milliseconds, not a second. Run with /usr/bin/python3."""
import json, socket, sys, threading, time
from scapy.all import (AsyncSniffer, Ether, IP, IPv6, ICMP, ICMPv6EchoRequest, UDP, TCP, GRE, Raw, BOOTP, DHCP,
                       sendp, send, sr1, conf)
conf.verb = 0
sniffers, conns, listeners = {}, {}, []

def tcp_server(port, family):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", port))
    s.listen(16)
    listeners.append(s)
    def serve(c):
        try:
            while True:
                d = c.recv(4096)
                if not d:
                    break
                c.sendall(d)
        except OSError:
            pass
        finally:
            c.close()
    def loop():
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(c,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()

def udp_server(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    listeners.append(s)
    def loop():
        while True:
            try:
                d, a = s.recvfrom(4096)
                s.sendto(d, a)
            except OSError:
                return
    threading.Thread(target=loop, daemon=True).start()

def handle(c):
    op = c["op"]
    if op == "tcp_listen":
        tcp_server(c["port"], socket.AF_INET6 if c.get("v6") else socket.AF_INET)
        return {"ok": True}
    if op == "udp_listen":
        udp_server(c["port"])
        return {"ok": True}
    if op == "tcp_connect":
        fam = socket.AF_INET6 if ":" in c["host"] else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(c.get("timeout", 2))
        try:
            s.connect((c["host"], c["port"]))
        except OSError as e:
            s.close()
            return {"ok": False, "error": str(e)}
        conns[c["id"]] = s
        return {"ok": True}
    if op == "tcp_echo":
        s = conns[c["id"]]
        s.settimeout(c.get("timeout", 2))
        try:
            s.sendall(c["data"].encode())
            d = s.recv(4096)
            return {"ok": d == c["data"].encode(), "data": d.decode(errors="replace")}
        except OSError as e:
            return {"ok": False, "error": str(e)}
    if op == "udp_probe":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(c.get("timeout", 1))
        try:
            s.sendto(b"probe", (c["host"], c["port"]))
            d, _ = s.recvfrom(4096)
            return {"ok": d == b"probe"}
        except OSError as e:
            return {"ok": False, "error": str(e)}
        finally:
            s.close()
    if op == "ping":
        pkt = (IPv6(dst=c["host"]) / ICMPv6EchoRequest()) if ":" in c["host"] else (IP(dst=c["host"]) / ICMP())
        r = sr1(pkt, timeout=c.get("timeout", 1), iface=c.get("iface", "eth0"))
        return {"ok": r is not None}
    if op == "sniff_start":
        sn = AsyncSniffer(iface=c["iface"], filter=c["filter"], store=True)
        sn.start()
        time.sleep(0.3)
        sniffers[c["id"]] = sn
        return {"ok": True}
    if op == "sniff_stop":
        sn = sniffers.pop(c["id"])
        time.sleep(c.get("linger", 0.5))
        pkts = sn.stop() or []
        return {"ok": True, "count": len(pkts), "lines": [p.summary() for p in pkts][:20]}
    if op == "send":
        pkt = eval(c["packet"])
        if c.get("l2"):
            sendp(pkt, iface=c.get("iface", "eth0"), count=c.get("count", 1))
        else:
            send(pkt, iface=c.get("iface", "eth0"), count=c.get("count", 1))
        return {"ok": True}
    return {"ok": False, "error": "unknown op " + op}

print(json.dumps({"ok": True, "ready": True}), flush=True)
for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    try:
        reply = handle(json.loads(line))
    except Exception as e:  # the test reads the error
        reply = {"ok": False, "error": repr(e)}
    print(json.dumps(reply), flush=True)
