#include "protocol/access_file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace allot {

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  size_t got = 0;
  while (got < bytes) {
    ssize_t n = getrandom(raw.data() + got, bytes - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
    else if (errno != EINTR) std::abort();  // getrandom does not fail on Linux >= 3.17
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * bytes);
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

Result<AccessFile> NewAccessSecrets() {
  if (!zmq_has("curve")) return Status::Internal("this libzmq was built without CURVE support");
  AccessFile a;
  a.token = RandomHex(32);
  char pub[41], sec[41];
  if (zmq_curve_keypair(pub, sec) != 0) return ErrnoStatus("zmq_curve_keypair", errno);
  a.server_public_key = pub;
  a.server_secret_key = sec;
  if (zmq_curve_keypair(pub, sec) != 0) return ErrnoStatus("zmq_curve_keypair", errno);
  a.client_public_key = pub;
  a.client_secret_key = sec;
  return a;
}

std::string AccessFilePath(const std::string& server_dir) { return server_dir + "/access.json"; }

std::string ResolveServerDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("ALLOT_SERVER_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.allot/server";
}

Result<AccessFile> ReadAccessFile(const std::string& server_dir) {
  const std::string path = AccessFilePath(server_dir);
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) {
      return Status::NotFound("no server in " + server_dir + ": " + path +
                              " does not exist (start one with `allot server start --dir " +
                              server_dir + "`)");
    }
    return ErrnoStatus("cannot read " + path, errno);
  }
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::Corruption(path + ": not a JSON object");
  }
  AccessFile a;
  auto field = [&](const char* section, const char* name, std::string* out) -> Status {
    auto s = j.find(section);
    if (s == j.end() || !s->is_object()) {
      return Status::Corruption(path + ": missing section '" + section + "'");
    }
    auto f = s->find(name);
    if (f == s->end() || !f->is_string() || f->get_ref<const std::string&>().empty()) {
      return Status::Corruption(path + ": field '" + section + "." + name +
                                "' is missing or not a non-empty string");
    }
    *out = f->get<std::string>();
    return Status::Ok();
  };
  ALLOT_RETURN_IF_ERROR(field("server", "host", &a.host));
  ALLOT_RETURN_IF_ERROR(field("server", "instance", &a.instance));
  ALLOT_RETURN_IF_ERROR(field("http", "url", &a.http_url));
  ALLOT_RETURN_IF_ERROR(field("http", "token", &a.token));
  ALLOT_RETURN_IF_ERROR(field("worker", "endpoint", &a.worker_endpoint));
  ALLOT_RETURN_IF_ERROR(field("worker", "server_public_key", &a.server_public_key));
  ALLOT_RETURN_IF_ERROR(field("worker", "server_secret_key", &a.server_secret_key));
  ALLOT_RETURN_IF_ERROR(field("worker", "client_public_key", &a.client_public_key));
  ALLOT_RETURN_IF_ERROR(field("worker", "client_secret_key", &a.client_secret_key));
  for (const std::string* key : {&a.server_public_key, &a.server_secret_key,
                                 &a.client_public_key, &a.client_secret_key}) {
    if (key->size() != 40) return Status::Corruption(path + ": a CURVE key is not 40 Z85 chars");
  }
  a.pid = j["server"].value("pid", int64_t{0});
  a.started_us = j["server"].value("started_us", int64_t{0});
  return a;
}

Status WriteAccessFile(const std::string& server_dir, const AccessFile& a) {
  if (mkdir(server_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return ErrnoStatus("cannot create " + server_dir, errno);
  }
  nlohmann::json j = {
      {"version", 1},
      {"server",
       {{"host", a.host}, {"pid", a.pid}, {"instance", a.instance}, {"started_us", a.started_us}}},
      {"http", {{"url", a.http_url}, {"token", a.token}}},
      {"worker",
       {{"endpoint", a.worker_endpoint},
        {"server_public_key", a.server_public_key},
        {"server_secret_key", a.server_secret_key},
        {"client_public_key", a.client_public_key},
        {"client_secret_key", a.client_secret_key}}}};
  const std::string path = AccessFilePath(server_dir);
  const std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("cannot write " + tmp, errno);
  fchmod(fd, 0600);  // an older file with other bits
  const std::string text = j.dump(2) + "\n";
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      return ErrnoStatus("cannot write " + tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) return ErrnoStatus("cannot write " + tmp, errno);
  if (rename(tmp.c_str(), path.c_str()) != 0) return ErrnoStatus("cannot write " + path, errno);
  return Status::Ok();
}

}  // namespace allot
