#include "core/cluster.h"

#include <mpi.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace coda::cluster {
namespace {

bool g_active = false;
int g_rank = 0, g_size = 1;
constexpr int kTaskTag = 1, kResultTag = 2;

bool launched_by_mpi() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") || std::getenv("PMIX_RANK");
}

}  // namespace

void init(int* argc, char*** argv) {
  if (!launched_by_mpi()) return;
  MPI_Init(argc, argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  g_active = g_size > 1;
  if (!g_active) {
    MPI_Finalize();
  }
}

void finalize() {
  if (g_active) {
    MPI_Finalize();
    g_active = false;
  }
}

bool active() {
  return g_active;
}
int rank() {
  return g_rank;
}
int size() {
  return g_size;
}

void run(const std::vector<long long>& tasks, const std::function<std::string(long long)>& work,
         const std::function<void(long long, const std::string&)>& done) {
  if (!g_active) throw std::logic_error("cluster::run without MPI");
  if (g_rank != 0) {
    while (true) {
      long long task = -1;
      MPI_Recv(&task, 1, MPI_LONG_LONG, 0, kTaskTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (task < 0) break;
      const std::string line = work(task);
      std::string msg(sizeof task, '\0');
      std::memcpy(msg.data(), &task, sizeof task);
      msg += line;
      MPI_Send(msg.data(), static_cast<int>(msg.size()), MPI_CHAR, 0, kResultTag, MPI_COMM_WORLD);
    }
    return;
  }
  std::size_t next = 0, outstanding = 0;
  const long long stop = -1;
  for (int r = 1; r < g_size; ++r) {
    if (next < tasks.size()) {
      MPI_Send(&tasks[next++], 1, MPI_LONG_LONG, r, kTaskTag, MPI_COMM_WORLD);
      ++outstanding;
    } else {
      MPI_Send(&stop, 1, MPI_LONG_LONG, r, kTaskTag, MPI_COMM_WORLD);
    }
  }
  std::string buffer;
  while (outstanding > 0) {
    MPI_Status status;
    MPI_Probe(MPI_ANY_SOURCE, kResultTag, MPI_COMM_WORLD, &status);
    int count = 0;
    MPI_Get_count(&status, MPI_CHAR, &count);
    buffer.resize(static_cast<std::size_t>(count));
    MPI_Recv(buffer.data(), count, MPI_CHAR, status.MPI_SOURCE, kResultTag, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
    --outstanding;
    long long task = 0;
    std::memcpy(&task, buffer.data(), sizeof task);
    // Hand out the next task before writing, so the worker never idles.
    if (next < tasks.size()) {
      MPI_Send(&tasks[next++], 1, MPI_LONG_LONG, status.MPI_SOURCE, kTaskTag, MPI_COMM_WORLD);
      ++outstanding;
    } else {
      MPI_Send(&stop, 1, MPI_LONG_LONG, status.MPI_SOURCE, kTaskTag, MPI_COMM_WORLD);
    }
    done(task, buffer.substr(sizeof task));
  }
}

}  // namespace coda::cluster
