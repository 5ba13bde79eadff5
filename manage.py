#!/usr/bin/env python
from hazardloop.cli import main

if __name__ == "__main__":
    main()
