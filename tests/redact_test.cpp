// The redaction rules (core/redact.hpp): which names are secrets, and every form a secret value
// takes in argv, env, free text and JSON; the name stays, the value goes.
#include <gtest/gtest.h>

#include "core/redact.hpp"

namespace sb::redact {
namespace {

TEST(Redact, SecretNames) {
  for (const char* n : {"HF_TOKEN",
                        "HUGGING_FACE_HUB_TOKEN",
                        "SPARKBENCH_HF_TOKEN",
                        "NVIDIA_API_KEY",
                        "--api-key",
                        "--hf-token",
                        "--token",
                        "-token",
                        "apiKey",
                        "APIKEY",
                        "api_key",
                        "AWS_SECRET_ACCESS_KEY",
                        "CLIENT_SECRET",
                        "DB_PASSWORD",
                        "PGPASSWORD",
                        "passwd",
                        "GOOGLE_APPLICATION_CREDENTIALS",
                        "Authorization",
                        "Proxy-Authorization",
                        "Cookie",
                        "X-Api-Key",
                        "GITHUB_TOKEN_2",
                        "--auth",
                        "API_KEYS"})
    EXPECT_TRUE(is_secret_name(n)) << n;
  // LLM tools' counts and shapes: a token or a key that is not a secret.
  for (const char* n : {"max_tokens", "--max-num-tokens", "TOKENIZERS_PARALLELISM", "--tokenizer",
                        "num_key_value_heads", "energy_per_output_token_j", "output_tokens_per_s",
                        "CUDA_VISIBLE_DEVICES", "PATH", "n", "HF_TOKEN_PATH", "", "--"})
    EXPECT_FALSE(is_secret_name(n)) << n;
}

TEST(Redact, ArgvKeepsTheOptionAndDropsItsValue) {
  Redactor r;
  EXPECT_EQ(r.argv({"sh", "-c", "echo value 1.5", "--api-key", "sk-live-PLANTED123"}),
            (std::vector<std::string>{"sh", "-c", "echo value 1.5", "--api-key", "<redacted>"}));
  EXPECT_EQ(r.argv({"tool", "--api-key=abcdef123", "--token", "t0k3n-value", "--hf-token", "hf_x", "--n", "5"}),
            (std::vector<std::string>{"tool", "--api-key=<redacted>", "--token", "<redacted>", "--hf-token",
                                      "<redacted>", "--n", "5"}));
  EXPECT_EQ(r.argv({"curl", "-H", "Authorization: Bearer abc.def-123456", "https://x"}),
            (std::vector<std::string>{"curl", "-H", "Authorization: Bearer <redacted>", "https://x"}));
  // A flag named like a secret takes no value when the next argument is an option.
  EXPECT_EQ(r.argv({"tool", "--use-token", "--verbose"}),
            (std::vector<std::string>{"tool", "--use-token", "--verbose"}));
  // docker -e NAME=VALUE, --env=NAME=VALUE; other variables untouched.
  EXPECT_EQ(
      r.argv({"docker", "run", "-e", "HF_TOKEN=hf_abcdef", "--env=NGC_API_KEY=nvk-123456", "-e", "OMP_NUM_THREADS=4"}),
      (std::vector<std::string>{"docker", "run", "-e", "HF_TOKEN=<redacted>", "--env=NGC_API_KEY=<redacted>", "-e",
                                "OMP_NUM_THREADS=4"}));
  // A secret given after its use (sh -c "... $1" -- VALUE) is masked in the script too.
  EXPECT_EQ(r.argv({"sh", "-c", "echo s3cr3t-value-1", "--password", "s3cr3t-value-1"}),
            (std::vector<std::string>{"sh", "-c", "echo <redacted>", "--password", "<redacted>"}));
}

TEST(Redact, EnvByName) {
  Redactor r;
  const auto out =
      r.env({{"HF_TOKEN", "hf_PLANTEDabc"}, {"OMP_NUM_THREADS", "8"}, {"PROXY", "http://me:pa55word@proxy:3128"}});
  EXPECT_EQ(out.at("HF_TOKEN"), "<redacted>");
  EXPECT_EQ(out.at("OMP_NUM_THREADS"), "8");
  EXPECT_EQ(out.at("PROXY"), "http://me:<redacted>@proxy:3128");
  // Remembered: the value is masked in later text that does not name it.
  EXPECT_EQ(r.text("loaded hf_PLANTEDabc from the environment"), "loaded <redacted> from the environment");
}

TEST(Redact, FreeText) {
  EXPECT_EQ(text("sh -c 'echo value 1.5' --api-key sk-live-PLANTED123"), "sh -c 'echo value 1.5' --api-key <redacted>");
  EXPECT_EQ(text("HF_TOKEN=abc123456 python3 x.py --max-tokens 128"),
            "HF_TOKEN=<redacted> python3 x.py --max-tokens 128");
  EXPECT_EQ(text("--password 'two words'"), "--password '<redacted>'");
  EXPECT_EQ(text(R"({"api_key": "k-123456789", "max_tokens": 5})"), R"({"api_key": "<redacted>", "max_tokens": 5})");
  EXPECT_EQ(text("> Authorization: token ghp_short\n< HTTP/1.1 200"),
            "> Authorization: token <redacted>\n< HTTP/1.1 200");
  EXPECT_EQ(text("git clone https://bob:hunter2@example.com/r.git"),
            "git clone https://bob:<redacted>@example.com/r.git");
  EXPECT_EQ(text("sent Bearer eyJhbGciOiJIUzI1NiJ9.abc"), "sent Bearer <redacted>");
  EXPECT_EQ(text("using hf_abcdefghijklmnopqrstuvwxyz0123456789 now"), "using <redacted> now");
  EXPECT_EQ(text("key nvapi-abcdefghijklmnopqrstuvwxyz0123456789_AB"), "key <redacted>");
  // Nothing secret: unchanged, including what merely resembles a name.
  for (const char* t : {"items processed: 30", "num_key_value_heads=8 max_tokens=128", "rep 3/5 tflops 1.5",
                        "TOKENIZERS_PARALLELISM=false", "--use-token --verbose", "a token: ", "task-sk-1",
                        // Plainly no secret after the name: a number, a variable, a template, a regex group.
                        "Time to first token: 35.2 ms", "--token $HF_TOKEN", "--api-key {key}", "token: ([0-9.]+)"})
    EXPECT_EQ(text(t), t);
  // Idempotent: a redacted text stays as it is.
  const std::string once = text("--api-key sk-live-PLANTED123 HF_TOKEN=hf_PLANTEDabc");
  EXPECT_EQ(text(once), once);
}

TEST(Redact, ShortValuesAreRedactedWhereNamedOnly) {
  Redactor r;
  EXPECT_EQ(r.argv({"tool", "--token", "12"}), (std::vector<std::string>{"tool", "--token", "<redacted>"}));
  EXPECT_EQ(r.text("rep 12 of 20"), "rep 12 of 20");
}

TEST(Redact, JsonByKeyArgvAndSecondPass) {
  const nlohmann::json record = {
      {"cases", {{{"message", "command 'x' exited with code 1: tool --api-key <redacted>\nusing sk-live-PLANTED123"}}}},
      {"plan",
       {{{"definition",
          {{"argv", {"tool", "--api-key", "sk-live-PLANTED123"}},
           {"env", {{"HF_TOKEN", "hf_PLANTEDabc"}, {"N", "1"}}}}}}}},
      {"launch", {{"oci_config", {{"process", {{"env", {"PATH=/usr/bin", "NGC_API_KEY=nv-PLANTED9"}}}}}}}},
      {"samples", {1.5, 2.5}}};
  const std::string out = json(record).dump();
  for (const char* secret : {"sk-live-PLANTED123", "hf_PLANTEDabc", "nv-PLANTED9"})
    EXPECT_EQ(out.find(secret), std::string::npos) << secret;
  for (const char* kept :
       {"--api-key", "HF_TOKEN", "NGC_API_KEY=<redacted>", "PATH=/usr/bin", "\"N\":\"1\"", "[1.5,2.5]"})
    EXPECT_NE(out.find(kept), std::string::npos) << kept;
  // The message came before the argv that names the secret: the second pass masks it there too.
  EXPECT_NE(out.find("using <redacted>"), std::string::npos) << out;
}

}  // namespace
}  // namespace sb::redact
