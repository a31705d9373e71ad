// AccessFile: <server-dir>/access.json, the one secret of a cluster-mode server (docs/CLUSTER.md).
// It holds the HTTP endpoint and bearer token for clients, and the worker endpoint with the
// CURVE keys for workers. Written with mode 0600 (atomically: temp file + rename), in a
// directory made 0700. Whoever can read it can submit, control, read and join; nobody else can.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace allot {

struct AccessFile {
  // server
  std::string host;          // where the server runs (gethostname)
  int64_t pid = 0;
  std::string instance;      // random per server start: tells workers the server restarted
  int64_t started_us = 0;
  // http
  std::string http_url;      // "http://127.0.0.1:38211"
  std::string token;         // 64 hex chars
  // worker endpoint
  std::string worker_endpoint;     // "tcp://node017:38212"
  std::string server_public_key;   // Z85, 40 chars
  std::string server_secret_key;
  std::string client_public_key;
  std::string client_secret_key;
};

// A fresh token and fresh CURVE key pairs (endpoints, host, pid and instance left empty).
// Internal when libzmq lacks CURVE.
Result<AccessFile> NewAccessSecrets();
// 32 random bytes as 64 hex chars (getrandom).
std::string RandomHex(size_t bytes);

// "<dir>/access.json".
std::string AccessFilePath(const std::string& server_dir);
// The server directory from a flag, else $ALLOT_SERVER_DIR, else $HOME/.allot/server.
std::string ResolveServerDir(const std::string& flag);

// Reads and checks the file. NotFound "no server in DIR: DIR/access.json does not exist (start
// one with `allot server start --dir DIR`)"; Corruption naming the file and the missing or
// malformed field; IoError when it cannot be read (e.g. permissions).
Result<AccessFile> ReadAccessFile(const std::string& server_dir);
// Creates the directory (0700) if needed and writes the file with mode 0600, atomically.
Status WriteAccessFile(const std::string& server_dir, const AccessFile& access);

}  // namespace allot
