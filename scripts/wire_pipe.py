"""Wire messages for the load scripts, from the Swift codec: `wire-samples codec` runs beside the script and
encodes or decodes one message per line (Sources/WireSamples/CodecPipe.swift), so no script carries a codec of
its own.

    w = WirePipe(bin_dir)          # the directory holding wire-samples (swift build [-c release])
    w.hello(token, nonce, 2, challenge)   -> bytes of a client HELLO
    w.subscribe(token, request, selector) -> bytes
    w.nack(token, stream, rtt, start, count) -> bytes
    w.decode(datagram) -> ("COOKIE", nonce, token, challenge) | ("DATA", stream, seq) | (type name,)
"""
import os
import subprocess


class WirePipe:
    def __init__(self, bin_dir):
        self.proc = subprocess.Popen([os.path.join(bin_dir, "wire-samples"), "codec"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)

    def _ask(self, *words):
        self.proc.stdin.write(" ".join(str(w) for w in words) + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def hello(self, token, nonce, role, challenge=0):
        return bytes.fromhex(self._ask("hello", token, nonce, role, challenge))

    def subscribe(self, token, request, selector):
        return bytes.fromhex(self._ask("subscribe", token, request, selector))

    def nack(self, token, stream, rtt, start, count):
        return bytes.fromhex(self._ask("nack", token, stream, rtt, start, count))

    def decode(self, datagram):
        words = self._ask("decode", datagram.hex()).split()
        return (words[0],) + tuple(int(w) for w in words[1:]) if words else ("-",)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()
