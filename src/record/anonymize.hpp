#pragma once
// Records made fit to post publicly (`sparkbench share`): host names, user names, home directories,
// IPv4/IPv6 and MAC addresses replaced by placeholders, consistently — the same original always
// becomes the same placeholder (host-1, user-1 and so /home/user-1, ip-1, ip6-1, mac-1), in every
// record, file name and report of one share, so that "both runs were on host-1" still reads right.
//
// The originals are learnt first (learn, learn_this_machine, hide), then replaced where they stand
// as whole words (not inside a longer name: host "gpu1" is not replaced in "gpu10"); addresses are
// found by their form wherever they are, except in values of keys named *version* (cuDNN
// 9.1.0.70 is a version, not an address). Not replaced because they identify no one: localhost,
// root, nobody, /root, loopback and unspecified addresses, and "sparkbench" (the host name our
// container launchers give).
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::record {

class Anonymizer {
 public:
  // What a record reveals: its `host`, the snapshot's host name, user names in /home/<user> and
  // /Users/<user> paths; and its addresses.
  void learn(const nlohmann::json& record);
  // This machine's host name (and its short form), the user running sparkbench ($USER, $LOGNAME,
  // $SUDO_USER, the password database) and their home directory: records made here show them.
  void learn_this_machine();
  void add_host(const std::string& name);
  void add_user(const std::string& name);
  void add_home(const std::string& dir);  // a home whose last component is no user name: /home/user-N
  void hide(const std::string& text);     // anything else the user wants gone: hidden-N

  // Every known original replaced; addresses of known form numbered as they are met.
  std::string text(std::string_view text);
  // Every string value (keys stay: they are the schema). Addresses are not looked for in values of
  // keys named like versions, though a known address is replaced there too.
  nlohmann::json json(const nlohmann::json& j);
  // Only the originals learnt so far, nothing new found: for text made from anonymized records
  // (a report), where a version number must not start looking like an address.
  std::string replace_known(std::string_view text) const;

  // original -> placeholder, for tests and the summary line (never printed with the originals).
  const std::map<std::string, std::string>& mapping() const { return placeholders_; }

 private:
  void add(const std::string& original, const std::string& kind);
  void map(const std::string& original, const std::string& placeholder);
  void find_addresses(std::string_view text);
  std::map<std::string, std::string> placeholders_;  // original -> placeholder
  std::map<std::string, int> counts_;                // kind -> how many so far
  std::vector<std::string> by_length_;               // originals, longest first
};

}  // namespace sb::record
