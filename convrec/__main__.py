from convrec.cli import main

raise SystemExit(main())
