#!/usr/bin/python3
"""Sends probe frames between network namespaces and reports which ones arrived.

Input (argv[1]): JSON {"timeout": seconds, "probes": [{"id", "send": [ns, iface], "recv": [ns, iface] or
["udp", ns, addr, port], "frame": {...}}]}. Every receiving socket is opened before the first frame is sent; a
frame counts as delivered when its marker is read on the receiving side (outgoing copies are ignored). Output
(stdout): JSON {"results": [{"id", "delivered"}]}. One process, sockets opened in each namespace with setns(2).
"""
import ctypes
import json
import logging
import os
import select
import socket
import sys
import time

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (Ether, IP, IPv6, TCP, UDP, ICMP, Raw, ICMPv6EchoRequest, ICMPv6EchoReply,  # noqa: E402
                       ICMPv6ND_NS, ICMPv6ND_NA, ICMPv6ND_RA, ICMPv6ND_RS, raw)

CLONE_NEWNET = 0x40000000
PACKET_OUTGOING = 4
libc = ctypes.CDLL("libc.so.6", use_errno=True)
home = os.open("/proc/self/ns/net", os.O_RDONLY)


def enter(ns):
    fd = os.open("/var/run/netns/" + ns, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + ns)
    finally:
        os.close(fd)


def leave():
    if libc.setns(home, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns home")


sockets = {}


def packet_socket(ns, iface):
    key = ("packet", ns, iface)
    if key not in sockets:
        enter(ns)
        try:
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
            s.bind((iface, 0))
            s.setblocking(False)
        finally:
            leave()
        sockets[key] = s
    return sockets[key]


def udp_socket(ns, addr, port):
    key = ("udp", ns, addr, port)
    if key not in sockets:
        enter(ns)
        try:
            s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((addr, port))
            s.setblocking(False)
        finally:
            leave()
        sockets[key] = s
    return sockets[key]


FLAGS = {"SYN": "S", "ACK": "A", "RST": "R", "FIN": "F", "PSH": "P", "URG": "U"}


def frame(f, marker):
    e = Ether(src=f["src_mac"], dst=f["dst_mac"])
    v6 = ":" in f["src"]
    proto = f["protocol"]
    payload = Raw(marker)
    if proto == 6:
        flags = "".join(FLAGS[x] for x in f.get("tcp_flags", "SYN").split(","))
        l4 = TCP(sport=f["sport"], dport=f["dport"], flags=flags, seq=f.get("seq", 1000), ack=f.get("ack", 0),
                 window=1024) / payload
    elif proto == 17:
        l4 = UDP(sport=f["sport"], dport=f["dport"]) / payload
    elif proto == 1:
        l4 = ICMP(type=f["icmp_type"], code=f.get("icmp_code", 0)) / payload
    elif proto == 58:
        t = f["icmp_type"]
        if t == 128:
            l4 = ICMPv6EchoRequest(data=marker)
        elif t == 129:
            l4 = ICMPv6EchoReply(data=marker)
        elif t == 133:
            l4 = ICMPv6ND_RS() / payload
        elif t == 134:
            l4 = ICMPv6ND_RA() / payload
        elif t == 135:
            l4 = ICMPv6ND_NS(tgt=f["dst"]) / payload
        elif t == 136:
            l4 = ICMPv6ND_NA(tgt=f["src"]) / payload
        else:
            raise ValueError("ICMPv6 type %d not supported by the driver" % t)
    elif proto == 4:
        l4 = IP(src="192.168.200.1", dst="192.168.200.2") / payload
    else:
        l4 = payload
    if v6:
        ip = IPv6(src=f["src"], dst=f["dst"], nh=proto, hlim=64)
    else:
        ip = IP(src=f["src"], dst=f["dst"], proto=proto, ttl=64)
    return raw(e / ip / l4)


def drain(s):
    while True:
        try:
            s.recv(65535)
        except BlockingIOError:
            return


def arrived(s, marker, udp, deadline):
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([s], [], [], left)
        if not r:
            return False
        try:
            if udp:
                data = s.recv(65535)
            else:
                data, addr = s.recvfrom(65535)
                if addr[2] == PACKET_OUTGOING:
                    continue
        except BlockingIOError:
            continue
        if marker in data:
            return True


def main():
    spec = json.load(open(sys.argv[1]))
    timeout = spec.get("timeout", 0.6)
    probes = spec["probes"]
    plan = []
    for p in probes:
        sender = packet_socket(*p["send"])
        recv = p["recv"]
        udp = recv[0] == "udp"
        receiver = udp_socket(recv[1], recv[2], recv[3]) if udp else packet_socket(*recv)
        plan.append((p, sender, receiver, udp))
    results = []
    for n, (p, sender, receiver, udp) in enumerate(plan):
        marker = ("tgdx%06d%06d" % (n, os.getpid() % 1000000)).encode()
        drain(receiver)
        sender.send(frame(p["frame"], marker))
        results.append({"id": p["id"], "delivered": arrived(receiver, marker, udp, time.monotonic() + timeout)})
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
