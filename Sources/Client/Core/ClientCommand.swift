import Wire

/// A line typed at the client's prompt.
public enum ClientCommand: Equatable, Sendable {
    case subscribe(StreamID)
    case unsubscribe(StreamID)
    case list
    case stats
    case help
    case quit
    case status(Bool)
    /// An empty line (Enter alone): show the connection and the subscriptions, and the prompt again.
    case state

    public static let helpText = """
        commands:
          subscribe <id>     6 hex digits: every stream of a producer (1AAA99); 8: one stream (1AAA9901 video, 1AAA9902 audio)
          unsubscribe <id>   stop receiving it
          list               producers the broker knows, with their streams, rates and subscribers
          stats              what this client has received, per stream
          status on|off      the once-a-second status lines
          help               this text
          quit               leave (Ctrl-D stops reading commands but keeps receiving; Ctrl-P Ctrl-Q detaches from docker attach)
          (Enter alone)      the connection to the broker and the subscriptions
        """

    /// Parses one line; the error is a one-line explanation for the user.
    public static func parse(_ line: String) -> Result<ClientCommand, CommandError> {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let first = words.first else { return .success(.state) }
        let verb = first.lowercased()
        func selector() -> Result<StreamID, CommandError> {
            guard words.count == 2 else {
                return .failure(CommandError(message: "usage: \(verb) <id>  (6 or 8 hex digits, e.g. 1AAA99 or 1AAA9901)"))
            }
            guard let s = StreamID(selector: words[1].uppercased()), s.rawValue >> 8 != 0 else {
                return .failure(
                    CommandError(
                        message:
                            "'\(words[1])' is not a producer id (6 hex digits, e.g. 1AAA99) or stream id (8 hex digits, e.g. 1AAA9901, stream 01-FF)")
                )
            }
            return .success(s)
        }
        switch verb {
        case "subscribe", "sub", "s":
            return selector().map { .subscribe($0) }
        case "unsubscribe", "unsub", "u":
            return selector().map { .unsubscribe($0) }
        case "list", "ls", "l":
            return words.count == 1 ? .success(.list) : .failure(CommandError(message: "usage: list"))
        case "stats":
            return words.count == 1 ? .success(.stats) : .failure(CommandError(message: "usage: stats"))
        case "help", "?", "h":
            return .success(.help)
        case "quit", "exit", "q":
            return .success(.quit)
        case "status":
            if words.count == 2, words[1] == "on" { return .success(.status(true)) }
            if words.count == 2, words[1] == "off" { return .success(.status(false)) }
            return .failure(CommandError(message: "usage: status on|off"))
        default:
            return .failure(CommandError(message: "unknown command '\(first)'; type help"))
        }
    }
}

public struct CommandError: Error, Equatable, Sendable {
    public let message: String
}
