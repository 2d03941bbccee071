#include <gtest/gtest.h>

#include "core/error.h"
#include "core/text.h"

namespace coda {
namespace {

TEST(Text, EditDistanceClosedForm) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("resnet", "resnet"), 0u);
}

TEST(Text, NearestNamesPrefersClosest) {
  const std::vector<std::string> names = {"resnet18", "resnet34", "resnet50", "vgg16", "alexnet"};
  const auto near = nearest_names("resnet19", names);
  ASSERT_FALSE(near.empty());
  EXPECT_EQ(near[0], "resnet18");
  EXPECT_TRUE(nearest_names("zzzzzzzzzz", names).empty());
}

TEST(Text, SplitKeepsEmptyPieces) {
  EXPECT_EQ(split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(trim("  x y \n"), "x y");
}

TEST(Error, LocationFormatting) {
  InputError e({"net.yaml", 3, 7}, "kernel", "must be positive");
  EXPECT_STREQ(e.what(), "net.yaml:3:7: 'kernel': must be positive");
  EXPECT_EQ(SourceLocation({"", 4, 0}).str(), "line 4");
}

}  // namespace
}  // namespace coda
