// SPDX-License-Identifier: MIT
#include <Palaver/message.h>
