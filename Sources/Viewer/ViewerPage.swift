/// The viewer page the client serves with `--web`: plain HTML, CSS and JavaScript in `Page/` (edit them as the files
/// they are: no build step, no third-party code), embedded into the binary at build time by SwiftPM
/// (`resources: [.embedInCode(…)]`), so a static binary carries them. docs/VIEWER.md describes the page and its
/// messages.
///
/// The script's messages in: JSON texts (state, list, say, figures, readers) and binary media messages
/// (`ViewerMessage.media`); out: the prompt's own commands (subscribe, unsubscribe, list), `ack <stream>` per video
/// frame the page is done with, and `view hidden|visible`.
enum ViewerPage {
    static let html = PackageResources.viewer_html
    static let script = PackageResources.viewer_js
    static let css = PackageResources.viewer_css
}
