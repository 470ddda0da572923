"""Network guard for attack-suite subprocesses (on PYTHONPATH, Python imports it at start).

Every name lookup or connection to a host that is not loopback is refused and written, one line
each, to the file named by $GICRAWLER_NETGUARD_LOG: the test asserts that file stays empty.
Loopback (127.0.0.0/8, ::1, localhost) and Unix sockets pass.
"""
import ipaddress
import os
import socket

_LOG = os.environ.get("GICRAWLER_NETGUARD_LOG")


def _loopback(host) -> bool:
    if host is None or host in ("localhost", b"localhost"):
        return True
    try:
        return ipaddress.ip_address(host.decode() if isinstance(host, bytes) else host).is_loopback
    except ValueError:
        return False


def _refuse(what: str, host) -> None:
    with open(_LOG, "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()} {what} {host!r}\n")


if _LOG:
    _getaddrinfo = socket.getaddrinfo
    _connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex

    def getaddrinfo(host, *args, **kwargs):
        if not _loopback(host):
            _refuse("getaddrinfo", host)
            raise socket.gaierror(socket.EAI_NONAME, "refused by the attack suite's network guard")
        return _getaddrinfo(host, *args, **kwargs)

    def _check(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            _refuse("connect", address[0])
            raise ConnectionRefusedError("refused by the attack suite's network guard")

    def connect(self, address):
        _check(self, address)
        return _connect(self, address)

    def connect_ex(self, address):
        _check(self, address)
        return _connect_ex(self, address)

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
