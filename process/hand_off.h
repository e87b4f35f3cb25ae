// HandOffToLibrary(): the first line of main() in a program that starts processes
// with the spawn or forkserver start method.
//
//   int main(int argc, char** argv) {
//     mp::HandOffToLibrary(argc, argv);   // returns at once in the program you ran
//     ...
//   }
//
// Those start methods run this very program again (/proc/self/exe), and the new copy
// must not run main() from the top: it would start processes of its own, and those
// theirs. This call recognises such a copy (by an environment variable the library
// sets) and makes it run the task it was started for, or serve as the fork server,
// and exit; it never returns there. It is the C++ twin of Python's
//
//   if __name__ == "__main__":
//
// and, like it, is easy to forget; so until main() has called it, starting a process
// with spawn or forkserver fails with a FailedPrecondition that says to add it.
// Programs that only use the fork start method do not need it.

#ifndef MP_PROCESS_HAND_OFF_H_
#define MP_PROCESS_HAND_OFF_H_

namespace mp {

void HandOffToLibrary(int argc, char** argv);

}  // namespace mp

#endif  // MP_PROCESS_HAND_OFF_H_
