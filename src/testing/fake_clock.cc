#include "testing/fake_clock.h"
