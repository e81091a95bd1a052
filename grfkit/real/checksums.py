"""SHA-256 and size of every registered file of the real data sets.

One table per data set, local path -> ``(sha256, size_bytes)``, of the
reference copy.  Every file was hashed at its source path at the data set's
pinned commit (:mod:`grfkit.real.registry`), in a mirror of the source
repository, and matched.  Files without a public source are not registered:
Hamner's ``subjects.csv`` (its body masses live in the registry) and Dorn's
``LICENSE.txt`` (the source repository has no licence file at any commit).
"""

from __future__ import annotations

__all__ = ["ALCANTARA2022_FILES", "DORN2012_FILES", "HAMNER2013_FILES"]

#: Alcantara et al. (2022): local path -> (SHA-256, size in bytes).
ALCANTARA2022_FILES: dict[str, tuple[str, int]] = {
    "Accelerometer_one_sub.csv": ("ad98276be65f9532897fb79e745d8fec4250f9d42002560b66e2ac93930c00a3", 3903808),
    "GRF_one_sub.csv": ("10d28b67584625f6e59b8ffe9882d726954bed7ed8dab1b3664df836202e0382", 1931283),
    "LICENSE.txt": ("c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4", 11357),
    "Sub_Info_one_sub.csv": ("48888f0f142395395ea1e85ce38e6dccdbc6195840fc30b694e0aa0f5843acef", 1302),
}
#: Dorn et al. (2012): local path -> (SHA-256, size in bytes).
DORN2012_FILES: dict[str, tuple[str, int]] = {
    "JA1Gait21.c3d": ("34951ddb11310d72a81ec0133d9ec2c3944ef8de5fcb51c55873cc899ea73527", 1931952),
    "JA1Gait35.c3d": ("7523d5814e4711b26c493c52c90e1f5844f4bce8778eaf319aae5c0d18e9b6a9", 757696),
}
#: Hamner & Delp (2013): local path -> (SHA-256, size in bytes).
HAMNER2013_FILES: dict[str, tuple[str, int]] = {
    "subject01/Run_2.trc": ("f64cdcf2f759493cc5ad789e6b73dd7cf1f714e077f1fbdc2df219853900e004", 809079),
    "subject01/Run_2_grf.mot": ("b6e0466bd127a1a46c8617cde62b1d50e14682e0228dd8f5fc8b08794fb06a18", 475873),
    "subject01/Run_3.trc": ("0d1866b5087023d7ca17e8325399e379fc31d957fc7e2a7499c9dbb272d76d2d", 699773),
    "subject01/Run_3_grf.mot": ("db0b81b731914bb44b273098e8c9400217c79fa4a8eeec18120cb8f6ad643d42", 394479),
    "subject01/Run_4.trc": ("ce9ee8868b517bbc422b5db005f56e230379cdff84bffb866cd7dd85a514f060", 751452),
    "subject01/Run_4_grf.mot": ("e677e2e933d341b1850d5d3460ffce76fffd92a9699e992141dd5bcf36d8a765", 409992),
    "subject01/Run_5.trc": ("b0c03df320e82da1e263e24be86895d4712d60ad0cbc4fca5ec736754cbbe39c", 580121),
    "subject01/Run_5_grf.mot": ("774cbc75542415a4fd10c44730b3e536b2e52c5be69dc473e5238bd2a212445f", 316365),
    "subject02/Run_2.trc": ("e1a29aac56906e34945dc8a27b7dadfb46c0bc14f3c6bd4a71275891215abd19", 1006159),
    "subject02/Run_2_grf.mot": ("ad087c9b73c6034fbda5661e620051715c233cee2a9ab8ecfc7f232e75bb1ca1", 493435),
    "subject02/Run_3.trc": ("f0a6dd93191a3ce09591893f3dc930089bd65091c920c01a280c90df80991b56", 883349),
    "subject02/Run_3_grf.mot": ("0112433c7083c8cd66e5bde386432a388e14ea59eba29b1cdf6c31a8511bf4e3", 431929),
    "subject02/Run_4.trc": ("4c189b452a16c02d65b4b42010ccf3a34fbefa598f545950a6a36030ca7df472", 701802),
    "subject02/Run_4_grf.mot": ("eae5254bab259c6cae90d9d305bbea8c03c4dde7fad587d77e1eb30404c2937c", 332196),
    "subject02/Run_5.trc": ("dac6cfdd53c58a6bf44c2fb92c1455b35982398b722576ad268a49cdeba7009a", 665962),
    "subject02/Run_5_grf.mot": ("b142fcf2e347a0dbe8d1427352951e92462bc17599a877467282eaabcb68a4fa", 309185),
    "subject03/Run_2.trc": ("63a3061ed0249869b5f70b50d8fd50b103b57af2d60237b26fab49fedc14443e", 907439),
    "subject03/Run_2_grf.mot": ("e3c682dc75d7e7a5c7a8b6401e0bfeea81369a5c7554d6c1187f231ce0121510", 1382206),
    "subject03/Run_3.trc": ("745d05823adf85f2b6cce9a44961a459d8e13cae5d801c0d68bcb8f7687675a4", 882513),
    "subject03/Run_3_grf.mot": ("3dd071dd487b273175e122a8219055012b524b98a895ca128a1758193b9577ac", 907652),
    "subject03/Run_4.trc": ("e4c69a573ff186d572e3383a0d769dff2bae778a006675334247e6b69ee13a9e", 850842),
    "subject03/Run_4_grf.mot": ("4b3b08aa48c14361e4c53f58a1836fbd14d5153dfdb39b3336f8079071aa3574", 813559),
    "subject03/Run_5.trc": ("5989df350ef7f49dbf48132ebfe6168a0979e3e472b32435e51149906a693443", 573206),
    "subject03/Run_5_grf.mot": ("0feeebda44b1dcb3c4ef8a7a6f8db1ad8a7b308f112eb4a9371eb85f39953997", 573108),
    "subject04/Run_2.trc": ("e0f9e4b759d0b732a1da561f20e1921e1fa512aef4c3cac29e09f7df1101b57e", 904165),
    "subject04/Run_2_grf.mot": ("d0721b75d2ba635ab57d01477d82b0280bcccd232f8d7ef136310666f40eea5f", 1066268),
    "subject04/Run_3.trc": ("43b48fa6ad58729d0c8dec05605ee0d67ceceb84c8a90cab97bda958812fdf74", 872742),
    "subject04/Run_3_grf.mot": ("4bc347aac535612571c253ffd4f3923dfd3c319a012f5cabd219228f40c918f3", 992603),
    "subject04/Run_4.trc": ("232f45d53dc7a0023bc146b555615eaa4b640961ef9682adf776b206cb73f848", 884364),
    "subject04/Run_4_grf.mot": ("978995069d1debe63d6699a85c8c6bb70e9ead2c11e47cf89128c6621e3614b1", 976345),
    "subject04/Run_5.trc": ("e4db9b6d64af002d40e779bd5f207841ac756cb13647e6d6e4e898f042a6def8", 787943),
    "subject04/Run_5_grf.mot": ("9b2242f6e872938804a8d46074a3339ba79a12a48792082a692ade9db4bd0731", 892990),
    "subject08/Run_2.trc": ("68dd5b574a8536f29f0d3210b13cd42e7213af2e246003c3875b4f279817aa0d", 727302),
    "subject08/Run_2_grf.mot": ("55e17ad3fb2d6871ee3353920851b8c71e4a65ddb3e2b47a094e9a82e703dba6", 582709),
    "subject08/Run_3.trc": ("5bcb65d33a75aaca1a9149ee369dca9c7b5f8356cd4787f44fcf6df4f6a42555", 773426),
    "subject08/Run_3_grf.mot": ("157a137ea168682e6a5bce66d8fd9753415418cf4799f2b670c1b5e22a05baeb", 438928),
    "subject08/Run_4.trc": ("9f9960910b2cb51e146b256a80102ebb1ccf686a95fcb3350cb2cb24cd6bef6a", 791141),
    "subject08/Run_4_grf.mot": ("765646bc1fa06d101bce0e293f67102996af0bdd8f7332ea6d54a37cab0278b4", 428929),
    "subject08/Run_5.trc": ("2c226f003682881112e7f3e9d42a3d256f26b2c029784cd65ba79e4bb25fed99", 754407),
    "subject08/Run_5_grf.mot": ("bf989cd5f6754ba3863a0497886bd1887fcfa9d18aee6c40111a085258b9637c", 407801),
    "subject10/Run_2.trc": ("d52c0fade8a5cbf0db68196e1bebaa97b55ad013f7dc396c7edabf02be043ccb", 796308),
    "subject10/Run_2_grf.mot": ("b5df84c009223f1707c2a325ee703ebb597246605dc5482b3f35e9c4a637fd7a", 477572),
    "subject10/Run_3.trc": ("7f402664149d2151aa46f2a970649119118160cc1334d80e2de3e0938271d0f0", 855972),
    "subject10/Run_3_grf.mot": ("14537f77b13e093b422002dc217606ae38df1f032abb6a52a2550dcb04c6684d", 483371),
    "subject10/Run_4.trc": ("2206be8a4dbcf076ded1850b31c0b9c6163be4cb1feb0eb06053921d987fe13f", 796975),
    "subject10/Run_4_grf.mot": ("d617e6d1bf2f43213efa84b1bdb7f12be07f0213b529dd4b71beb3a0c8fe9cb0", 451155),
    "subject10/Run_5.trc": ("8e69924e2ce5f0170279b3fe4996cfe3e5a3b74f33d669c9e2ad7d167bd55f26", 796958),
    "subject10/Run_5_grf.mot": ("299c55d21bd4e78ec800e728c27d6b9e0a08f5cb7a16bb83deaaa6c0076b8602", 457210),
    "subject11/Run_2.trc": ("c086c0b21f58dccca36fb016665643f11c671cfbac2ffd3d97c8e58655f77190", 751342),
    "subject11/Run_2_grf.mot": ("33ac75b2ecf59d532363cc0de19bca8e0d63b0425360835f0afd80582db3f2d8", 455317),
    "subject11/Run_3.trc": ("e08cb3b7436962f27ba840973d6de8ec1eb6c228246e65ed7640c0ab5ea31cff", 771282),
    "subject11/Run_3_grf.mot": ("ab304fb95d17c6407f0e663c206bef3f99da597e6da12e8f60c7970b5c019194", 436690),
    "subject11/Run_4.trc": ("9f16896faf2000a94af18fb10adf8fc4b71e21b79a062a5087a18dca0fc25129", 796623),
    "subject11/Run_4_grf.mot": ("46e1c0150a2146df204a6c70977aed78971f89bbab278cfac3f2e34f64bef273", 434607),
    "subject11/Run_5.trc": ("e34b0a7f28b960b77d2a2441cf20919d69595a7cff32d4292a22d635b831de99", 731413),
    "subject11/Run_5_grf.mot": ("a54eee78bebdf92d1665b42cd0e19002441f93bae9b3e568e488de78dad0dc34", 393197),
    "subject17/Run_2.trc": ("e1dbb11abf5b9a397d47f5fe92806e1da32f7cdd4f67d49e2e388ef95d4c8619", 931871),
    "subject17/Run_2_grf.mot": ("0b7d45e8343623f2d0f36567c8ae3bf9294ea9637b4497229391769c0cc1b61a", 473465),
    "subject17/Run_3.trc": ("65af8e655460444ad3d0c3edb638396ee1e9bd92db3c581ecc7043643acf9dcd", 930582),
    "subject17/Run_3_grf.mot": ("0a2acc1dabe9658efc2e5a73b3133a2820ce8b5fc1a005808d446744dc03c1d4", 437605),
    "subject17/Run_4.trc": ("6c3e1dbcfe65f4fab43c195431d579363903339493d0d80b5ba2007d1d394ac9", 930681),
    "subject17/Run_4_grf.mot": ("ea80349d043f399c327197ab4bffa192e481593536dfb2b442a9237d5282ce9d", 435532),
    "subject17/Run_5.trc": ("9cc0647da9669f526f9cba2d9d58a8ef92044cbd4d931e5640399b1bd3d9202b", 831662),
    "subject17/Run_5_grf.mot": ("b3d6804897a7669fa16b752cce815079db693abc9498b35a47b764d2351959a6", 381708),
    "subject19/Run_2.trc": ("87a430d7da0750f9a3081b9ae9dbb6b8fa5c192dc19a2621e30079bfacf02de2", 936223),
    "subject19/Run_2_grf.mot": ("64a483268ffc968e603e63bdd1678c5ab4575b7b52ab819d217de593172f2b32", 438070),
    "subject19/Run_3.trc": ("21b15ba1bdc3177c5b419e4c666116ab8f5c362a5f0b803c13a57f1075eab10b", 922581),
    "subject19/Run_3_grf.mot": ("182cdc544f1a2bb342544c03292b132c239e6497c7060e1ad7d6e475cc65cfe6", 418158),
    "subject19/Run_4.trc": ("7b1c7bbff5e2ff856dff07751fe069c689b7f890177c90f6996a0920c84220ab", 996301),
    "subject19/Run_4_grf.mot": ("b80daad0e17817c8e61271458ecac544fed3baa833f1dcbc6dd6dcf6914a9454", 437001),
    "subject19/Run_5.trc": ("b55bd7c42828d411c10afe522661842e93e493d01e30183d4aa76d78a7d7c3c5", 977578),
    "subject19/Run_5_grf.mot": ("e33298c6e28c43fbcdf21fa8c15d0e30411a1f740e19661e12207b80759fd010", 423160),
    "subject20/Run_2.trc": ("5bec4f4e1bd978d2c8e09653b443e5ba0382e75f87157a45f485ad8debd3c130", 1109056),
    "subject20/Run_2_grf.mot": ("bba41076e60b098fad3b6cdcf35361c82bc7bf99ae0626a181fef0db8c632749", 540324),
    "subject20/Run_3.trc": ("382b4e665071588dfa0b2bd58f705523964c0cf91e11f1ec252da023e4bcf6df", 931626),
    "subject20/Run_3_grf.mot": ("3e334232c6660d23123593e83e949fe462f976e63526c67838ed83d21caa67bb", 440924),
    "subject20/Run_4.trc": ("d30f50753cb5f68bd89d83f6f0262355f092679f877421733677b549678662bf", 1017407),
    "subject20/Run_4_grf.mot": ("4c7f828f9afbe6955ded9ffae041222d899e9c7dc9ad611df4fedd71f53082d8", 470396),
    "subject20/Run_5.trc": ("240d8553e46379c10292dd1389728be13c3332e38f013260ef01bc7b504aa6bc", 947746),
    "subject20/Run_5_grf.mot": ("5b81e39c5a23f01bc43d0794d347ce04890274055cb752388417ede0a36c0295", 440588),
}
