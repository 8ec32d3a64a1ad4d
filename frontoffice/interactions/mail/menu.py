from frontoffice.core.navigation import MenuItem

MENU: list[MenuItem] = []
