"""politics"""
