// wire-samples: sample datagrams of every message, made by Wire's encoders, for the Wireshark dissector test
// (scripts/test-dissector; scripts/dissector_check.py compares tshark's decoding with the expectations).
let usage = """
    wire-samples list                                  name, port and hex of every sample
    wire-samples expectations                          JSON: every sample and what tshark must show for it
    wire-samples send --port P [--heur-port H] [--src-port S]
                                                       sends them over UDP to 127.0.0.1 (P and P+1, from P+2)
    wire-samples write-pcap FILE --port P [--heur-port H] [--src-port S]
                                                       writes the same datagrams as a pcap (no capture needed)
    wire-samples write-conversation FILE --port P      a short session (broker, producer, client, second broker)
    wire-samples conversation-info --port P            the Info column tshark must show for it, one line each
    wire-samples codec                                 encodes and decodes single messages, a line each (see CodecPipe)
    """

Invocation(Array(CommandLine.arguments.dropFirst())).run()
