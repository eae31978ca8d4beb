#include "crypto/aead.h"
