/* The smallest program there is to start: it exits at once. Linked statically, so that
   exec() maps no shared library and runs no dynamic loader: spawn_benchmark's floor for
   starting an external program. */
int main(void) { return 0; }
