from cp_tui.cli import main

raise SystemExit(main())
