import HTTP

/// The publish page's files, embedded at build time from `Publish/` (Package.swift's `.embedInCode`).
enum PublishPage {
    static let html = PackageResources.publish_html
    static let script = PackageResources.publish_js
    static let css = PackageResources.publish_css

    /// A file of the page with the headers that keep it to itself: no caching, no sniffing, and a policy that
    /// lets it load only its own files and talk only to its own origin.
    static func asset(_ type: String, _ bytes: [UInt8]) -> HTTPResponse {
        HTTPResponse(
            status: 200, contentType: type, body: bytes,
            headers: [
                ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
                (
                    "Content-Security-Policy",
                    "default-src 'none'; script-src 'self'; style-src 'self'; media-src 'self' blob: mediastream:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
                ),
            ])
    }
}
