#include "plugins/accuracy/datasets.h"

#include <zlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>

#include "core/error.h"

namespace coda::accuracy {
namespace fs = std::filesystem;

std::string default_fashion_mnist_dir() {
  return "/usr/share/datasets/fashion-mnist";
}

namespace {

// The whole of a file, gunzipped when it is gzip (zlib reads plain files
// through unchanged).
std::string read_maybe_gz(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw InputError({path, 0, 0}, "dataset", "cannot open");
  std::string data;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) data.append(buf, static_cast<std::size_t>(n));
  const bool bad = n < 0;
  gzclose(f);
  if (bad) throw InputError({path, 0, 0}, "dataset", "corrupt gzip stream");
  return data;
}

std::uint32_t be32(const std::string& d, std::size_t at) {
  return (std::uint32_t(static_cast<unsigned char>(d[at])) << 24) |
         (std::uint32_t(static_cast<unsigned char>(d[at + 1])) << 16) |
         (std::uint32_t(static_cast<unsigned char>(d[at + 2])) << 8) |
         std::uint32_t(static_cast<unsigned char>(d[at + 3]));
}

std::string find_idx(const std::string& dir, const std::string& stem) {
  for (const std::string& name : {stem, stem + ".gz"}) {
    if (fs::exists(dir + "/" + name)) return dir + "/" + name;
  }
  throw InputError(
      {dir + "/" + stem + ".gz", 0, 0}, "dataset",
      "Fashion-MNIST not found (tried " + dir + "/" + stem +
          "[.gz]); install it with "
          "`sudo apt-get install dataset-fashion-mnist` (scripts/install-deps.sh does), "
          "or give --dataset fashion-mnist:DIR");
}

ImageSet read_idx_pair(const std::string& images_path, const std::string& labels_path) {
  const std::string img = read_maybe_gz(images_path);
  const std::string lab = read_maybe_gz(labels_path);
  if (img.size() < 16 || be32(img, 0) != 0x803) {
    throw InputError({images_path, 0, 0}, "dataset", "not an IDX3 image file (magic 0x803)");
  }
  if (lab.size() < 8 || be32(lab, 0) != 0x801) {
    throw InputError({labels_path, 0, 0}, "dataset", "not an IDX1 label file (magic 0x801)");
  }
  const std::int64_t n = be32(img, 4), h = be32(img, 8), w = be32(img, 12);
  if (be32(lab, 4) != n || img.size() != static_cast<std::size_t>(16 + n * h * w) ||
      lab.size() != static_cast<std::size_t>(8 + n)) {
    throw InputError({images_path, 0, 0}, "dataset", "image and label counts or sizes disagree");
  }
  ImageSet s;
  auto bytes = torch::from_blob(const_cast<char*>(img.data() + 16), {n, 1, h, w}, torch::kUInt8);
  s.images = bytes.to(torch::kFloat).div_(255.0).sub_(0.2860).div_(0.3530);
  s.labels =
      torch::from_blob(const_cast<char*>(lab.data() + 8), {n}, torch::kUInt8).to(torch::kLong);
  return s;
}

Dataset load_fashion_mnist(const std::string& dir) {
  Dataset d;
  d.name = "fashion-mnist";
  d.train = read_idx_pair(find_idx(dir, "train-images-idx3-ubyte"),
                          find_idx(dir, "train-labels-idx1-ubyte"));
  d.test = read_idx_pair(find_idx(dir, "t10k-images-idx3-ubyte"),
                         find_idx(dir, "t10k-labels-idx1-ubyte"));
  return d;
}

// CIFAR-10 binary: records of 1 label byte + 3072 pixel bytes (R, G, B planes).
ImageSet read_cifar_batches(const std::vector<std::string>& files) {
  std::string all;
  for (const auto& f : files) {
    const std::string data = read_maybe_gz(f);
    if (data.empty() || data.size() % 3073 != 0) {
      throw InputError({f, 0, 0}, "dataset",
                       "not a CIFAR-10 binary batch (size " + std::to_string(data.size()) +
                           " is not a multiple of 3073-byte records)");
    }
    all += data;
  }
  const std::int64_t n = static_cast<std::int64_t>(all.size() / 3073);
  auto raw = torch::from_blob(all.data(), {n, 3073}, torch::kUInt8).clone();
  ImageSet s;
  s.labels = raw.select(1, 0).to(torch::kLong);
  if (s.labels.max().item<std::int64_t>() > 9) {
    throw InputError({files.front(), 0, 0}, "dataset", "CIFAR-10 labels must be 0-9");
  }
  auto img = raw.slice(1, 1).view({n, 3, 32, 32}).to(torch::kFloat).div_(255.0);
  auto mean = torch::tensor({0.4914f, 0.4822f, 0.4465f}).view({1, 3, 1, 1});
  auto stdev = torch::tensor({0.2470f, 0.2435f, 0.2616f}).view({1, 3, 1, 1});
  s.images = (img - mean) / stdev;
  return s;
}

Dataset load_cifar10(const std::string& path) {
  std::string dir = path;
  if (fs::is_directory(dir + "/cifar-10-batches-bin")) dir += "/cifar-10-batches-bin";
  std::vector<std::string> train;
  for (int i = 1; i <= 5; ++i) {
    const std::string f = dir + "/data_batch_" + std::to_string(i) + ".bin";
    if (fs::exists(f)) train.push_back(f);
  }
  const std::string test = dir + "/test_batch.bin";
  if (train.empty() || !fs::exists(test)) {
    throw InputError({dir, 0, 0}, "dataset",
                     "CIFAR-10 binary not found: expected data_batch_1..5.bin and test_batch.bin "
                     "in " +
                         dir +
                         " (the 'CIFAR-10 binary version' from "
                         "https://www.cs.toronto.edu/~kriz/cifar.html, unpacked)");
  }
  Dataset d;
  d.name = "cifar10";
  d.train = read_cifar_batches(train);
  d.test = read_cifar_batches({test});
  return d;
}

}  // namespace

const Dataset& load_dataset(const DatasetSpec& spec) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<Dataset>> loaded;
  std::lock_guard<std::mutex> lock(mu);
  const std::string key = spec.str();
  auto it = loaded.find(key);
  if (it != loaded.end()) return *it->second;
  std::unique_ptr<Dataset> d;
  if (spec.name == "fashion-mnist") {
    d = std::make_unique<Dataset>(
        load_fashion_mnist(spec.path.empty() ? default_fashion_mnist_dir() : spec.path));
  } else if (spec.name == "cifar10") {
    d = std::make_unique<Dataset>(load_cifar10(spec.path));
  } else {
    throw InputError({}, "dataset",
                     "'" + spec.name +
                         "' has no training data in coda; train and zero-cost take "
                         "fashion-mnist[:DIR] or cifar10:PATH");
  }
  return *(loaded[key] = std::move(d));
}

const Dataset& padded_dataset(const Dataset& d, long long height, long long width) {
  const long long h = d.train.images.size(2), w = d.train.images.size(3);
  if (height == h && width == w) return d;
  if (height < h || width < w) {
    throw InputError({}, "resolution",
                     "the network's input " + std::to_string(height) + "x" + std::to_string(width) +
                         " is smaller than " + d.name + "'s " + std::to_string(h) + "x" +
                         std::to_string(w) + " images; use resolution: dataset");
  }
  static std::mutex mu;
  static std::map<std::tuple<const Dataset*, long long, long long>, std::unique_ptr<Dataset>> made;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = made[{&d, height, width}];
  if (slot) return *slot;
  // Per channel, the value a black pixel has after normalisation.
  const torch::Tensor black =
      std::get<0>(d.train.images.transpose(0, 1).flatten(1).min(1)).view({1, -1, 1, 1});
  const long long top = (height - h) / 2, left = (width - w) / 2;
  auto pad = [&](const ImageSet& s) {
    ImageSet out = s;
    out.images = black.expand({s.images.size(0), s.images.size(1), height, width}).clone();
    out.images.slice(2, top, top + h).slice(3, left, left + w).copy_(s.images);
    return out;
  };
  slot = std::make_unique<Dataset>(Dataset{d.name, pad(d.train), pad(d.test)});
  return *slot;
}

}  // namespace coda::accuracy
