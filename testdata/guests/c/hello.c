/* hello prints "hello" and exits with the status given as its first
 * argument (default 0): the smallest C-built guest. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
	puts("hello");
	return argc > 1 ? atoi(argv[1]) : 0;
}
