/* One executable for the three roles, so the runtime image holds the static Swift runtime once instead of three
 * times (25 MB -> about 11 MB). scripts/link-multicall links it from the objects `swift build` already made for
 * broker, producer and client: SwiftPM renames each executable's entry point to <Module>_main (so test targets
 * can link it), and this main() picks one by the name it was started as, like busybox. The image has
 * /usr/local/bin/broker, producer and client as symbolic links to vbroker, so every command stays the same. */
#include <stdio.h>
#include <string.h>

int Broker_main(int argc, char **argv);
int Producer_main(int argc, char **argv);
int Client_main(int argc, char **argv);

int main(int argc, char **argv) {
    const char *name = argc > 0 && argv[0] ? argv[0] : "";
    const char *slash = strrchr(name, '/');
    if (slash) name = slash + 1;
    if (strcmp(name, "broker") == 0) return Broker_main(argc, argv);
    if (strcmp(name, "producer") == 0) return Producer_main(argc, argv);
    if (strcmp(name, "client") == 0) return Client_main(argc, argv);
    fprintf(stderr, "vbroker: run me as broker, producer or client (a link with that name); I was started as '%s'\n", name);
    return 2;
}
