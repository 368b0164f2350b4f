"""Support menu (支援メニュー): provider proposals, adoption, the numbered published menu."""
