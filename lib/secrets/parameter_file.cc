#include "secrets/parameter_file.h"

#include <nlohmann/json.hpp>

#include "kms/file_io.h"

namespace envelope::secrets::internal {
namespace {

using json = nlohmann::json;
constexpr char kFormat[] = "envelope parameters v1";

tl::unexpected<Error> Damaged(const std::string& what) {
  return MakeError(ErrorCode::malformed,
                   std::string("parameters: ") + kParameterFileName + " is damaged: " + what);
}

}  // namespace

Result<std::string> EncodeParameterTable(const ParameterTable& table) {
  try {
    json parameters = json::object();
    for (const auto& [name, p] : table) {
      json versions = json::array();
      for (const StoredVersion& v : p.versions) {
        versions.push_back({{"version", v.version},
                            {"value", v.value},
                            {"key_id", v.key_id},
                            {"modified_ms", v.modified_ms},
                            {"modified_by", v.modified_by},
                            {"description", v.description},
                            {"labels", v.labels}});
      }
      parameters[name] = {{"type", std::string(ParameterTypeName(p.type))},
                          {"versions", std::move(versions)}};
    }
    json file = {{"format", kFormat}, {"parameters", std::move(parameters)}};
    // Strict: callers store only UTF-8, so a throw here is a bug, not input.
    return file.dump(1);
  } catch (const std::exception&) {
    return MakeError(ErrorCode::internal, "parameters: cannot encode the parameters file");
  }
}

Result<ParameterTable> DecodeParameterTable(std::string_view bytes) {
  json file = json::parse(bytes, nullptr, false);
  if (file.is_discarded() || !file.is_object()) return Damaged("not a JSON object");
  try {
    if (file.value("format", "") != kFormat) return Damaged("unknown format");
    ParameterTable table;
    for (const auto& [name, p] : file.at("parameters").items()) {
      StoredParameter stored;
      auto type = ParseParameterType(p.at("type").get<std::string>());
      if (!type) return Damaged("bad type of " + name);
      stored.type = *type;
      for (const json& v : p.at("versions")) {
        StoredVersion version;
        version.version = v.at("version").get<int64_t>();
        version.value = v.at("value").get<std::string>();
        version.key_id = v.at("key_id").get<std::string>();
        version.modified_ms = v.at("modified_ms").get<int64_t>();
        version.modified_by = v.at("modified_by").get<std::string>();
        version.description = v.at("description").get<std::string>();
        version.labels = v.at("labels").get<std::vector<std::string>>();
        if (!stored.versions.empty() && version.version <= stored.versions.back().version) {
          return Damaged("versions of " + name + " out of order");
        }
        stored.versions.push_back(std::move(version));
      }
      if (stored.versions.empty()) return Damaged(name + " has no version");
      table.emplace(name, std::move(stored));
    }
    return table;
  } catch (const std::exception&) {
    return Damaged("a member is missing or of the wrong type");
  }
}

Result<ParameterTable> ReadParameterTable(const std::string& dir) {
  auto bytes = kms::internal::ReadPrivateFile(dir + "/" + kParameterFileName, kMaxParameterFile);
  ENVELOPE_RETURN_IF_ERROR(bytes);
  if (!*bytes) return ParameterTable{};
  const auto& b = **bytes;
  return DecodeParameterTable(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

Result<void> UpdateParameterTable(const std::string& dir,
                                  const std::function<Result<bool>(ParameterTable&)>& body) {
  auto lock = kms::internal::FileLock::Acquire(dir + "/" + kParameterLockName);
  ENVELOPE_RETURN_IF_ERROR(lock);
  kms::internal::RemoveStaleTemporaries(dir, kParameterFileName);
  auto table = ReadParameterTable(dir);
  ENVELOPE_RETURN_IF_ERROR(table);
  auto changed = body(*table);
  ENVELOPE_RETURN_IF_ERROR(changed);
  if (!*changed) return {};
  auto bytes = EncodeParameterTable(*table);
  ENVELOPE_RETURN_IF_ERROR(bytes);
  return kms::internal::WriteFileAtomically(
      dir, kParameterFileName,
      std::span(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()));
}

}  // namespace envelope::secrets::internal
