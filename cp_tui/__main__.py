from cp_tui.entry import main

raise SystemExit(main())
