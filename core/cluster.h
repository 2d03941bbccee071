// Runs tasks across MPI ranks when coda is launched by mpirun (or srun inside
// a Slurm allocation): rank 0 coordinates and writes every result, the other
// ranks simulate. Without mpirun nothing here touches MPI.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace coda::cluster {

// Initialises MPI only when an MPI launcher started this process.
void init(int* argc, char*** argv);
void finalize();
bool active();  // more than one rank
int rank();
int size();

// Rank 0: hands `tasks` out one at a time to ranks 1..n-1 and calls done()
// for each result as it arrives. Other ranks: serve work() until told to
// stop. Every rank returns when all tasks are done.
void run(const std::vector<long long>& tasks, const std::function<std::string(long long)>& work,
         const std::function<void(long long, const std::string&)>& done);

}  // namespace coda::cluster
